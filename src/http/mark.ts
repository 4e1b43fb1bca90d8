/** Tollgate's mark: a toll barrier across a road, in the top bar's white on dark. */
export const MARK = `<rect x="4" y="10" width="6" height="26" rx="1.5" fill="#f5f5f5"/>
<rect x="9" y="13" width="30" height="6" rx="3" fill="#f5b400"/>
<rect x="15" y="13" width="5" height="6" fill="#1b1b1b"/><rect x="27" y="13" width="5" height="6" fill="#1b1b1b"/>`;

export const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="190" height="40" viewBox="0 0 190 40" role="img" aria-label="Tollgate">
<title>Tollgate</title>${MARK}
<text x="48" y="29" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="24" font-weight="700" fill="#f5f5f5">Tollgate</text>
</svg>`;

/** The mark on a dark tile: /favicon.svg, /docs' icon, and the source of /favicon.ico. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40"><rect width="40" height="40" rx="6" fill="#1b1b1b"/>${MARK}</svg>`;
