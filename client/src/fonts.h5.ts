/** Browser build: load the comic typeface shipped with the H5 build (see config copy patterns). */
export function loadFonts(): void {
  if (typeof document === 'undefined' || document.getElementById('szs-fonts')) return;
  const style = document.createElement('style');
  style.id = 'szs-fonts';
  style.textContent = "@font-face{font-family:'ZCOOL KuaiLe';src:url('/fonts/zcool-kuaile.ttf') format('truetype');font-display:swap;}";
  document.head.appendChild(style);
}
