export declare const UNIVERSAL: 'universal';
export declare const PLATFORM_TARGETS: string[];
export declare const ALL_TARGETS: string[];
export declare const MAX_VSIX_BYTES: number;
export declare const ORT_BIN: string;
export declare function ignoreFileText(target: string, base: string): string;
export declare function checkVsixContents(target: string, names: string[], bytes: number): string[];
