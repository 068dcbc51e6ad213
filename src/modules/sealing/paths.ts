/** The development PKCS#12's file name in the data directory (backup, restore and doctor name it without loading the key code). */
export const DEVELOPMENT_P12 = "development-seal.p12";
