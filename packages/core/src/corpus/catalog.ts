/**
 * What invoices sell, per domain: goods and services with units and price ranges, SaaS plans, telecom
 * charges, freight charges, utility tariffs, ICD-10 diagnoses and CPT-like procedures, contract line items,
 * shop and restaurant items.
 */
export interface CatalogItem {
  /** description; may be long enough to wrap */
  d: string;
  /** unit of measure */
  u: string;
  /** unit price range in major units */
  p: [number, number];
  /** quantity range; fractional when q[2] decimals > 0 */
  q: [number, number, number?];
  /** a category heading rows may be grouped under */
  g?: string;
}

export const GENERAL_ITEMS: CatalogItem[] = [
  { d: 'A4 copy paper 80 g/m², 5 reams per box', u: 'box', p: [18, 32], q: [1, 20], g: 'Office supplies' },
  { d: 'Ballpoint pens, blue, pack of 50', u: 'pack', p: [6, 14], q: [1, 12], g: 'Office supplies' },
  { d: 'Lever arch file A4, 80 mm', u: 'pcs', p: [2.1, 4.8], q: [5, 60], g: 'Office supplies' },
  { d: 'Toner cartridge black, high yield', u: 'pcs', p: [48, 149], q: [1, 8], g: 'Office supplies' },
  { d: 'Ergonomic office chair with lumbar support', u: 'pcs', p: [189, 640], q: [1, 10], g: 'Furniture' },
  { d: 'Height-adjustable desk 160 x 80 cm', u: 'pcs', p: [420, 980], q: [1, 6], g: 'Furniture' },
  { d: '27" IPS monitor, USB-C, 2560 x 1440', u: 'pcs', p: [229, 489], q: [1, 12], g: 'IT hardware' },
  { d: 'Laptop docking station', u: 'pcs', p: [119, 289], q: [1, 15], g: 'IT hardware' },
  { d: 'Cat6 patch cable 2 m', u: 'pcs', p: [1.9, 6.5], q: [10, 200], g: 'IT hardware' },
  { d: 'Wireless keyboard and mouse set', u: 'set', p: [29, 89], q: [1, 25], g: 'IT hardware' },
  { d: 'Stainless steel hex bolts M8 x 40, DIN 933', u: 'pcs', p: [0.08, 0.35], q: [100, 5000], g: 'Fasteners' },
  { d: 'Hydraulic hose assembly 1/2" x 1.5 m', u: 'pcs', p: [24, 78], q: [1, 40], g: 'Spare parts' },
  { d: 'Ball bearing 6204-2RS', u: 'pcs', p: [2.4, 9.8], q: [10, 300], g: 'Spare parts' },
  { d: 'Industrial lubricant ISO VG 68, 20 l drum', u: 'drum', p: [85, 190], q: [1, 10], g: 'Consumables' },
  { d: 'Nitrile gloves, size L, box of 100', u: 'box', p: [7, 16], q: [5, 100], g: 'Consumables' },
  { d: 'Safety goggles EN 166, anti-fog', u: 'pcs', p: [4.5, 14], q: [5, 80], g: 'Consumables' },
  { d: 'Consulting services, senior engineer', u: 'h', p: [95, 220], q: [1, 80, 1], g: 'Services' },
  { d: 'Installation and commissioning on site', u: 'h', p: [65, 140], q: [2, 40, 1], g: 'Services' },
  { d: 'Travel expenses (flat rate)', u: 'flat', p: [45, 380], q: [1, 1], g: 'Services' },
  { d: 'Annual maintenance contract, level 2 support', u: 'year', p: [900, 4800], q: [1, 1], g: 'Services' },
  { d: 'Graphic design: brochure layout, 12 pages', u: 'job', p: [600, 2400], q: [1, 1], g: 'Services' },
  { d: 'Translation EN>DE, technical manual', u: 'word', p: [0.09, 0.18], q: [800, 12000], g: 'Services' },
  { d: 'Catering for 25 persons incl. beverages', u: 'flat', p: [350, 900], q: [1, 1], g: 'Services' },
  { d: 'Pallet wrap film 500 mm x 300 m', u: 'roll', p: [9, 19], q: [6, 60], g: 'Packaging' },
  { d: 'Corrugated boxes 600 x 400 x 400 mm', u: 'pcs', p: [1.1, 3.2], q: [50, 1000], g: 'Packaging' },
  { d: 'Roasted coffee beans, espresso blend', u: 'kg', p: [14, 32], q: [1, 30, 1], g: 'Pantry' },
  { d: 'LED panel 60 x 60 cm, 36 W, 4000 K', u: 'pcs', p: [22, 65], q: [4, 60], g: 'Electrical' },
  { d: 'Copper cable NYM-J 3 x 1.5 mm²', u: 'm', p: [0.6, 1.9], q: [50, 500], g: 'Electrical' },
];

export const SAAS_PLANS = ['Starter', 'Team', 'Business', 'Professional', 'Enterprise', 'Growth', 'Scale', 'Premium', 'Basic', 'Pro'];
export const SAAS_PRODUCTS = [
  'CloudDesk',
  'Syncly',
  'Datapulse',
  'Formwise',
  'PipeRun',
  'Tasklane',
  'Mailbeam',
  'Vaultly',
  'Chartwell',
  'Helpnest',
];
export const SAAS_ADDONS: CatalogItem[] = [
  { d: 'Additional storage 100 GB', u: 'unit', p: [5, 20], q: [1, 10] },
  { d: 'API calls over quota (per 10k)', u: '10k', p: [0.5, 3], q: [1, 400] },
  { d: 'Premium support add-on', u: 'month', p: [49, 299], q: [1, 1] },
  { d: 'SSO / SAML integration', u: 'month', p: [25, 150], q: [1, 1] },
  { d: 'Onboarding workshop (remote)', u: 'session', p: [250, 900], q: [1, 3] },
  { d: 'Extra workspace', u: 'workspace', p: [10, 40], q: [1, 8] },
  { d: 'Transactional e-mails (per 1,000)', u: '1k', p: [0.4, 1.2], q: [5, 900] },
  { d: 'Compute hours, standard instance', u: 'h', p: [0.05, 0.4], q: [100, 9000] },
];

export const TELECOM_PLANS = [
  'Unlimited Plus',
  'Smart 20 GB',
  'Business Mobile L',
  'Fibre 500',
  'Home Broadband 100',
  'Red Flex M',
  'Connect Pro',
  'Family Share 50 GB',
  'Fibre 1 Gbit',
  'Essentials 5 GB',
];
export const TELECOM_CHARGES: CatalogItem[] = [
  { d: 'International roaming day pass', u: 'day', p: [3, 12], q: [1, 14] },
  { d: 'Calls to international numbers', u: 'min', p: [0.09, 1.2], q: [5, 240] },
  { d: 'Premium SMS services', u: 'SMS', p: [0.5, 3], q: [1, 20] },
  { d: 'Device instalment (24 months)', u: 'month', p: [12, 55], q: [1, 1] },
  { d: 'Static IP address', u: 'month', p: [5, 15], q: [1, 1] },
  { d: 'Router rental', u: 'month', p: [3, 9], q: [1, 1] },
  { d: 'Additional data 10 GB', u: 'pack', p: [5, 15], q: [1, 4] },
  { d: 'Directory enquiry calls', u: 'call', p: [0.99, 2.99], q: [1, 6] },
  { d: 'TV streaming add-on', u: 'month', p: [7, 19], q: [1, 1] },
  { d: 'Insurance for handset', u: 'month', p: [4, 12], q: [1, 1] },
];

export const CARRIERS = [
  'Northbridge Freight',
  'Rhenus Cargo',
  'BlueWave Shipping',
  'TransAlpine Logistics',
  'Meridian Express',
  'Polar Air Cargo',
  'Continental Haulage',
  'SwiftLine Couriers',
  'Hanse Container Line',
  'Pacific Rim Forwarding',
  'EuroRoad Transports',
  'Atlas Air Freight',
];
export const INCOTERMS = ['EXW', 'FCA', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP', 'FAS', 'FOB', 'CFR', 'CIF'];
export const LOGISTICS_CHARGES: CatalogItem[] = [
  { d: "Ocean freight 40' HC container", u: 'cntr', p: [1400, 4800], q: [1, 3] },
  { d: 'Air freight, general cargo', u: 'kg', p: [2.1, 6.8], q: [45, 2400, 1] },
  { d: 'Road freight, full truck load', u: 'FTL', p: [650, 2400], q: [1, 2] },
  { d: 'Fuel surcharge', u: 'flat', p: [35, 420], q: [1, 1] },
  { d: 'Terminal handling charge (THC)', u: 'cntr', p: [120, 380], q: [1, 3] },
  { d: 'Customs clearance export', u: 'flat', p: [45, 160], q: [1, 1] },
  { d: 'Customs clearance import incl. T1', u: 'flat', p: [60, 190], q: [1, 1] },
  { d: 'Pick-up and delivery', u: 'flat', p: [80, 350], q: [1, 1] },
  { d: 'Warehouse storage', u: 'pallet/day', p: [0.6, 2.4], q: [10, 600] },
  { d: 'Dangerous goods handling', u: 'flat', p: [55, 240], q: [1, 1] },
  { d: 'Insurance cover 0.3% of goods value', u: 'flat', p: [25, 600], q: [1, 1] },
  { d: 'Bill of lading fee', u: 'doc', p: [35, 95], q: [1, 1] },
  { d: 'Pallet exchange EUR-pallets', u: 'pcs', p: [9, 16], q: [2, 33] },
];
export const PORTS = [
  'Rotterdam, NL',
  'Hamburg, DE',
  'Antwerp, BE',
  'Shanghai, CN',
  'Singapore, SG',
  'Los Angeles, US',
  'Felixstowe, GB',
  'Le Havre, FR',
  'Valencia, ES',
  'Genoa, IT',
  'Mumbai, IN',
  'Melbourne, AU',
  'Chicago, US',
  'Frankfurt, DE',
  'Lyon, FR',
  'Milan, IT',
  'Madrid, ES',
  'Toronto, CA',
  'Dallas, US',
  'Leeds, GB',
];
export const GOODS = [
  'Machine parts',
  'Textiles',
  'Consumer electronics',
  'Furniture (flat pack)',
  'Auto parts',
  'Food products, dry',
  'Chemicals, non-hazardous',
  'Medical devices',
  'Printed matter',
  'Plastic granulate',
];

export interface Tariff {
  kind: 'electricity' | 'gas' | 'water';
  unit: string;
  /** price per unit range in major units, 4 decimals printed */
  rate: [number, number];
  usage: [number, number];
}

export const TARIFFS: Tariff[] = [
  { kind: 'electricity', unit: 'kWh', rate: [0.18, 0.42], usage: [120, 2400] },
  { kind: 'gas', unit: 'kWh', rate: [0.06, 0.14], usage: [300, 6000] },
  { kind: 'gas', unit: 'm³', rate: [0.7, 1.6], usage: [30, 600] },
  { kind: 'water', unit: 'm³', rate: [1.6, 4.8], usage: [4, 90] },
];
export const UTILITY_FEES: CatalogItem[] = [
  { d: 'Standing charge', u: 'day', p: [0.25, 0.65], q: [28, 92] },
  { d: 'Network usage fee', u: 'flat', p: [8, 35], q: [1, 1] },
  { d: 'Metering service', u: 'month', p: [1.5, 6], q: [1, 3] },
  { d: 'Renewable energy levy', u: 'flat', p: [2, 18], q: [1, 1] },
  { d: 'Sewerage charge', u: 'flat', p: [6, 45], q: [1, 1] },
  { d: 'Climate change levy', u: 'flat', p: [1, 9], q: [1, 1] },
];
export const UTILITY_PLANS = ['Green Fix 24', 'Standard Variable', 'EcoPower Flex', 'Smart Saver', 'Business Fixed 12', 'Basic Supply'];

export interface MedicalCode {
  code: string;
  d: string;
  p?: [number, number];
}

/** ICD-10-CM diagnoses commonly billed. */
export const ICD10: MedicalCode[] = [
  { code: 'J06.9', d: 'Acute upper respiratory infection, unspecified' },
  { code: 'E11.9', d: 'Type 2 diabetes mellitus without complications' },
  { code: 'I10', d: 'Essential (primary) hypertension' },
  { code: 'M54.5', d: 'Low back pain' },
  { code: 'J45.909', d: 'Unspecified asthma, uncomplicated' },
  { code: 'K21.9', d: 'Gastro-esophageal reflux disease without esophagitis' },
  { code: 'F41.1', d: 'Generalized anxiety disorder' },
  { code: 'N39.0', d: 'Urinary tract infection, site not specified' },
  { code: 'S93.401A', d: 'Sprain of unspecified ligament of right ankle' },
  { code: 'R51.9', d: 'Headache, unspecified' },
  { code: 'E78.5', d: 'Hyperlipidemia, unspecified' },
  { code: 'Z00.00', d: 'General adult medical examination' },
  { code: 'H10.9', d: 'Unspecified conjunctivitis' },
  { code: 'L03.115', d: 'Cellulitis of right lower limb' },
  { code: 'R10.9', d: 'Unspecified abdominal pain' },
  { code: 'J20.9', d: 'Acute bronchitis, unspecified' },
];

/** CPT-like procedure codes with fee ranges. */
export const CPT: MedicalCode[] = [
  { code: '99213', d: 'Office visit, established patient, low complexity', p: [90, 160] },
  { code: '99214', d: 'Office visit, established patient, moderate complexity', p: [130, 230] },
  { code: '99203', d: 'Office visit, new patient, low complexity', p: [120, 210] },
  { code: '99285', d: 'Emergency department visit, high severity', p: [600, 1600] },
  { code: '36415', d: 'Routine venipuncture', p: [10, 35] },
  { code: '80053', d: 'Comprehensive metabolic panel', p: [30, 140] },
  { code: '85025', d: 'Complete blood count with differential', p: [18, 80] },
  { code: '71046', d: 'Chest X-ray, 2 views', p: [80, 260] },
  { code: '93000', d: 'Electrocardiogram, complete', p: [40, 160] },
  { code: '81001', d: 'Urinalysis with microscopy', p: [10, 45] },
  { code: '90471', d: 'Immunization administration', p: [20, 60] },
  { code: '90686', d: 'Influenza vaccine, quadrivalent', p: [25, 70] },
  { code: '97110', d: 'Therapeutic exercise, each 15 minutes', p: [35, 90] },
  { code: '73610', d: 'X-ray ankle, complete, 3 views', p: [70, 210] },
  { code: '12001', d: 'Simple repair of superficial wound, 2.5 cm or less', p: [150, 420] },
  { code: '29540', d: 'Strapping; ankle and/or foot', p: [45, 120] },
  { code: '76700', d: 'Ultrasound, abdominal, complete', p: [180, 520] },
  { code: '99232', d: 'Subsequent hospital care, per day', p: [110, 260] },
];
export const HOSPITAL_DEPARTMENTS = [
  'Emergency',
  'Laboratory',
  'Radiology',
  'Pharmacy',
  'Room & Board',
  'Physician Services',
  'Physical Therapy',
  'Outpatient Clinic',
];
export const INSURERS = [
  'BlueShield Health',
  'Unity Care Insurance',
  'Allianz Care',
  'AOK Nordost',
  'Medicare Part B',
  'Aetna Choice',
  'Bupa Global',
  'Star Health',
];

export const GOV_ITEMS: CatalogItem[] = [
  { d: 'Ruggedized field laptop, MIL-STD-810H', u: 'EA', p: [2400, 5200], q: [1, 40] },
  { d: 'Program management support, labor category PM III', u: 'HR', p: [110, 210], q: [20, 480, 1] },
  { d: 'Systems engineer II, labor hours', u: 'HR', p: [95, 180], q: [20, 480, 1] },
  { d: 'Night vision monocular, Gen 3', u: 'EA', p: [2900, 4800], q: [1, 20] },
  { d: 'Replacement rotor blade assembly', u: 'EA', p: [8000, 42000], q: [1, 4] },
  { d: 'Technical data package (CDRL A001)', u: 'LO', p: [3000, 25000], q: [1, 1] },
  { d: 'Body armor plate carrier, size M', u: 'EA', p: [300, 900], q: [5, 120] },
  { d: 'Travel (cost reimbursable, not to exceed)', u: 'LO', p: [800, 6000], q: [1, 1] },
  { d: 'Training course, 3 days, 12 participants', u: 'LO', p: [4000, 14000], q: [1, 1] },
  { d: 'Hydraulic pump, NSN 4320-01-123-4567', u: 'EA', p: [1200, 6400], q: [1, 12] },
  { d: 'Office furniture, modular workstation', u: 'EA', p: [700, 2600], q: [2, 30] },
  { d: 'Road maintenance, asphalt patching', u: 'SY', p: [18, 60], q: [50, 2000] },
];
export const AGENCIES = [
  'Department of the Army, ACC-APG',
  'Naval Supply Systems Command',
  'General Services Administration',
  'Defense Logistics Agency',
  'City of Springfield, Public Works',
  'Ministry of Infrastructure',
  'County Procurement Office',
  'Bundesamt für Ausrüstung (BAAINBw)',
  'Federal Aviation Administration',
];

export const GROCERY_ITEMS: CatalogItem[] = [
  { d: 'MILK 2% 1L', u: '', p: [0.9, 1.9], q: [1, 4] },
  { d: 'WHOLEGRAIN BREAD', u: '', p: [1.5, 4.2], q: [1, 2] },
  { d: 'BANANAS', u: 'kg', p: [1.1, 2.4], q: [0.4, 2.5, 3] },
  { d: 'FREE RANGE EGGS 10PK', u: '', p: [2.4, 4.9], q: [1, 2] },
  { d: 'CHEDDAR MATURE 400G', u: '', p: [2.9, 5.5], q: [1, 2] },
  { d: 'TOMATOES VINE', u: 'kg', p: [2.2, 4.8], q: [0.3, 1.5, 3] },
  { d: 'PASTA FUSILLI 500G', u: '', p: [0.8, 2.2], q: [1, 4] },
  { d: 'OLIVE OIL EXTRA VIRGIN', u: '', p: [4.5, 11], q: [1, 2] },
  { d: 'COFFEE GROUND 250G', u: '', p: [3.2, 7.9], q: [1, 3] },
  { d: 'ORANGE JUICE 1L', u: '', p: [1.5, 3.8], q: [1, 3] },
  { d: 'CHICKEN BREAST FILLET', u: 'kg', p: [7.5, 14], q: [0.3, 1.4, 3] },
  { d: 'DISH SOAP LEMON', u: '', p: [1.2, 3.2], q: [1, 2] },
  { d: 'TOILET ROLLS 9PK', u: '', p: [3.5, 7.5], q: [1, 2] },
  { d: 'SPARKLING WATER 6X1.5L', u: '', p: [2.5, 5.9], q: [1, 3] },
  { d: 'GREEK YOGHURT 500G', u: '', p: [1.6, 3.9], q: [1, 3] },
  { d: 'APPLES GALA', u: 'kg', p: [1.9, 3.9], q: [0.5, 2, 3] },
  { d: 'CHOCOLATE DARK 70%', u: '', p: [1.2, 3.5], q: [1, 4] },
  { d: 'BATTERIES AA 8PK', u: '', p: [4.9, 9.9], q: [1, 2] },
];
export const RESTAURANT_ITEMS: CatalogItem[] = [
  { d: 'Margherita Pizza', u: '', p: [8, 14], q: [1, 3] },
  { d: 'Caesar Salad', u: '', p: [7, 13], q: [1, 2] },
  { d: 'Cheeseburger & Fries', u: '', p: [11, 18], q: [1, 3] },
  { d: 'Soup of the Day', u: '', p: [4.5, 8], q: [1, 2] },
  { d: 'Grilled Salmon', u: '', p: [16, 28], q: [1, 2] },
  { d: 'Espresso', u: '', p: [1.8, 3.5], q: [1, 4] },
  { d: 'Cappuccino', u: '', p: [2.8, 4.8], q: [1, 4] },
  { d: 'House Red Wine 0.2L', u: '', p: [4.5, 8.5], q: [1, 4] },
  { d: 'Draft Beer 0.5L', u: '', p: [3.9, 6.9], q: [1, 6] },
  { d: 'Tiramisu', u: '', p: [5, 8.5], q: [1, 3] },
  { d: 'Sparkling Water 0.75L', u: '', p: [3, 5.5], q: [1, 2] },
  { d: 'Pad Thai Chicken', u: '', p: [10, 16], q: [1, 2] },
];
export const SHOP_NAMES = [
  'FreshMart',
  'Corner Grocer',
  'Maxi Markt',
  'Bio Laden',
  'QuickStop',
  'Marché Central',
  'Supermercado Sol',
  'City Foods',
  'GreenBasket',
  'Daily Deli',
];
export const RESTAURANT_NAMES = [
  'Trattoria Bella',
  'The Golden Fork',
  'Café Lumière',
  'Harbour Grill',
  'Bistro 21',
  'Casa Tapas',
  'Noodle House',
  'The Brass Tap',
];

export const NOTES = [
  'Thank you for your business!',
  'Please quote the invoice number with your payment.',
  'Goods remain our property until paid in full.',
  'Delivery made in two partial shipments as agreed.',
  'Questions about this invoice? Contact our accounts team.',
  'Reverse charge: VAT to be accounted for by the recipient.',
  'Service period as per the attached timesheet.',
  'Prices include the agreed volume discount.',
  'This invoice replaces the pro-forma sent earlier.',
  'Please inform us within 8 days of any discrepancies.',
];
export const TERMS = [
  'Payment is due within the stated term. Late payments may incur interest at 8% above the base rate per annum.',
  'All goods are supplied subject to our general terms and conditions of sale, available on request.',
  'Claims for damage or shortage must be reported in writing within 7 days of delivery.',
  'Services are billed monthly in advance. The subscription renews automatically unless cancelled 30 days before renewal.',
  'Title to goods passes upon full payment. Returns accepted within 30 days in original packaging only.',
  "Disputes must be raised within 14 days of the invoice date. Jurisdiction: the supplier's registered office.",
];
