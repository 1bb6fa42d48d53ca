// Run by the browser after layout, in a copy of report.html the browser test makes (a shipped
// page carries no script); the test reads what it leaves on <body>: how many
// request bars got a size, each shared-axis timeline's drawn width as a fraction of its axis,
// how many colours lack a legend entry, and which key figure was drawn with a legend.
const plotFraction = (960 - 70 - 50) / 960;
document.body.dataset.renderedBars = Array.from(document.querySelectorAll('svg.timeline:not(.zoomed) rect.bar.served'))
  .filter(r => r.getBBox().width > 0).length;
for (const svg of document.querySelectorAll('svg.timeline')) {
  const boxes = Array.from(svg.querySelectorAll('rect.bar')).map(r => r.getBoundingClientRect()).filter(b => b.width > 0);
  if (!boxes.length) continue;
  const extent = Math.max(...boxes.map(b => b.right)) - Math.min(...boxes.map(b => b.left));
  svg.dataset.renderedFraction = (extent / (svg.getBoundingClientRect().width * plotFraction)).toFixed(4);
}
let unlegended = 0;
for (const chart of document.querySelectorAll('section.chart')) {
  const legend = new Set(Array.from(chart.querySelectorAll('.legend .swatch')).map(s => s.dataset.colour));
  for (const mark of chart.querySelectorAll('svg rect[fill], svg circle[fill]'))
    if (!legend.has(mark.getAttribute('fill'))) { unlegended++; mark.dataset.unlegended = 'yes'; }
}
document.body.dataset.unlegendedColours = unlegended;
const first = document.querySelector('section.key-figure, section.sweep-chart');
if (first) document.body.dataset.keyFigureTop = Math.round(first.getBoundingClientRect().top + window.scrollY);
document.body.dataset.pageHeight = document.documentElement.scrollHeight;
const key = document.querySelector('section.key-figure');
if (key && key.querySelector('.legend .swatch') && key.querySelector('svg rect[fill], svg circle[fill]'))
  document.body.dataset.keyFigure = key.dataset.figure;
// The first timeline (a blocked loop's staircase) as laid out, whether the page is wider than the
// window, and where its text starts (a projector at 1024 × 768 keeps margins, nothing cut at the right).
const staircase = document.querySelector('svg.timeline');
if (staircase) {
  const box = staircase.getBoundingClientRect();
  document.body.dataset.firstTimelineTop = Math.round(box.top + window.scrollY);
  document.body.dataset.firstTimelineBottom = Math.round(box.bottom + window.scrollY);
}
document.body.dataset.overflowX = Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
document.body.dataset.marginLeft = Math.round(document.querySelector('h1').getBoundingClientRect().left);  // where the text starts
// A label beside its bars (the compact key figure) that runs off the chart's left edge, or into
// its bars, is cut or covered: the test finds none.
let clippedLabels = 0;
for (const label of document.querySelectorAll('svg.bars text.group.beside')) {
  const box = label.getBoundingClientRect(), chart = label.ownerSVGElement.getBoundingClientRect();
  const bar = label.ownerSVGElement.querySelector('rect.bar');
  if (box.left < chart.left - 1 || (bar && box.right > bar.getBoundingClientRect().left + 1)) clippedLabels++;
}
document.body.dataset.clippedLabels = clippedLabels;
