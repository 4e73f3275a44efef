/** Both head views: hovering a token's row brings out its lines and dims the others. */
export function highlightRowOnHover(svg: SVGSVGElement, lines: SVGGElement, token: SVGGElement, row: number): void {
  token.addEventListener('mouseenter', () => {
    svg.classList.add('row-focus');
    lines.querySelectorAll(`[data-from="${row}"]`).forEach((p) => p.classList.add('on'));
  });
  token.addEventListener('mouseleave', () => {
    svg.classList.remove('row-focus');
    lines.querySelectorAll('.on').forEach((p) => p.classList.remove('on'));
  });
}
