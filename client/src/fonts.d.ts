// Per-platform font loading: Taro picks fonts.weapp.ts or fonts.h5.ts at build time.
export declare function loadFonts(): void;
