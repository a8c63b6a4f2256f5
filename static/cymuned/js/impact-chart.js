// Draws the impact page's <canvas data-impact-chart="..."> with Chart.js: grouped bars of the means before and
// after engagement for the engaged and the comparison learners. The same figures are in the table beside it.
(function () {
  function draw (root) {
    root.querySelectorAll('canvas[data-impact-chart]').forEach(function (canvas) {
      if (canvas.dataset.drawn || !canvas.dataset.impactChart) { return }
      var spec = JSON.parse(canvas.dataset.impactChart)
      canvas.dataset.drawn = '1'
      new window.Chart(canvas, {
        type: 'bar',
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { beginAtZero: true, title: { display: true, text: spec.axis } } },
          plugins: {
            tooltip: {
              callbacks: {
                label: function (context) { return context.dataset.label + ': ' + context.parsed.y.toFixed(spec.places) }
              }
            }
          }
        }
      })
    })
  }
  document.addEventListener('DOMContentLoaded', function () { draw(document) })
  document.addEventListener('htmx:afterSwap', function (event) { draw(event.target) })
})()
