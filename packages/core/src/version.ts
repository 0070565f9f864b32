/** The hybridoc version written into every artifact. Keep in step with package.json. */
export const HYBRIDOC_VERSION = '0.1.0';
