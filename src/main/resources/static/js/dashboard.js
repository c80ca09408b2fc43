// The dashboard's charts: fetched every 15 s from /admin/api/series and drawn with uPlot.
// The panels above refresh themselves through htmx; without JavaScript the page still
// shows everything but the charts, and reloads itself.
(function () {
  'use strict';

  const container = document.getElementById('charts');
  if (!container || typeof uPlot === 'undefined') {
    return;
  }
  const url = container.dataset.seriesUrl;
  const colours = ['#2456c7', '#c2410c', '#15803d', '#7c3aed'];
  const plots = {};

  function options(chart, width) {
    return {
      title: chart.title + ' (' + chart.unit + ')',
      width: width,
      height: 180,
      series: [{}].concat(chart.series.map(function (s, i) {
        return { label: s.label, stroke: colours[i % colours.length], width: 2, spanGaps: false };
      })),
      axes: [{}, { size: 56 }],
    };
  }

  function draw(payload) {
    document.getElementById('series-source').textContent = payload.source === 'prometheus'
      ? 'From Prometheus, 15 s resolution.'
      : (payload.note || 'From this app server\u2019s own samples.');
    const width = Math.max(280, Math.floor(container.clientWidth / 2) - 16);
    payload.charts.forEach(function (chart) {
      const data = [payload.x].concat(chart.series.map(function (s) { return s.values; }));
      const key = chart.id;
      const labels = chart.series.map(function (s) { return s.label; }).join(',');
      if (plots[key] && plots[key].labels === labels) {
        plots[key].plot.setData(data);
        return;
      }
      if (plots[key]) {
        plots[key].plot.destroy();
        plots[key].element.remove();
      }
      const element = document.createElement('div');
      element.className = 'chart';
      element.dataset.chart = key;
      container.appendChild(element);
      plots[key] = { labels: labels, element: element, plot: new uPlot(options(chart, width), data, element) };
    });
  }

  function refresh() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(draw)
      .catch(function (error) {
        document.getElementById('series-source').textContent = 'Charts unavailable: ' + error;
      });
  }

  refresh();
  setInterval(refresh, 15000);
})();
