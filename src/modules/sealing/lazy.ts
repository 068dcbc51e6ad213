/**
 * The PDF side of the server (pdf-lib, fontkit, the fonts, CMS and certificate parsing) loaded on
 * first use: it is most of a cold start, and only sealing, PDF downloads and verification
 * need it. The runtime loads each module once; later calls get the same one.
 */
export const sealingService = () => import("./service");
export const pdfLib = () => import("pdf-lib");
export const pdfIncremental = () => import("../../pdf/incremental");
export const verifyService = () => import("../verify/service");
export const archivalRenewal = () => import("./extend");
