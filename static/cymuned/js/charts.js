// Draws every <canvas data-chart="..."> with Chart.js. The same figures are always in a table beside the chart.
(function () {
  function draw (root) {
    root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.dataset.drawn) { return }
      var spec = JSON.parse(canvas.dataset.chart)
      canvas.dataset.drawn = '1'
      // Defaults: horizontal stacked bars. A spec may ask for vertical ("horizontal": false) or unstacked bars, or lines.
      var horizontal = spec.horizontal !== false
      var stacked = spec.stacked !== false
      var valueAxis = { stacked: stacked, beginAtZero: true, title: { display: true, text: spec.axis }, ticks: { precision: 0 } }
      var labelAxis = { stacked: stacked }
      new window.Chart(canvas, {
        type: spec.type || 'bar',
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          indexAxis: horizontal ? 'y' : 'x',
          maintainAspectRatio: false,
          animation: false,
          scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
        }
      })
    })
  }
  document.addEventListener('DOMContentLoaded', function () { draw(document) })
  document.addEventListener('htmx:afterSwap', function (event) { draw(event.target) })
})()
