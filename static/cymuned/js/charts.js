// Draws every <canvas data-chart="..."> with Chart.js. The same figures are always in a table beside the chart.
(function () {
  function draw (root) {
    root.querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.dataset.drawn) { return }
      var spec = JSON.parse(canvas.dataset.chart)
      canvas.dataset.drawn = '1'
      new window.Chart(canvas, {
        type: 'bar',
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          indexAxis: 'y',
          maintainAspectRatio: false,
          animation: false,
          scales: { x: { stacked: true, title: { display: true, text: spec.axis }, ticks: { precision: 0 } }, y: { stacked: true } }
        }
      })
    })
  }
  document.addEventListener('DOMContentLoaded', function () { draw(document) })
  document.addEventListener('htmx:afterSwap', function (event) { draw(event.target) })
})()
