/** WeChat: the phone's system fonts render Chinese; no font download keeps the package small. */
export function loadFonts(): void {}
