/* Charts for /staff/overview/. The numbers and every label come from the page's
 * json_script element (#overview-data): the Content Security Policy allows no inline script,
 * and this file holds no user-facing text, so translations stay in the templates. */
(function () {
  "use strict";

  var source = document.getElementById("overview-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;

  // One colour per series, the same on every page; readable on white and in greyscale.
  var COLOURS = {
    detox: "#0d6efd",
    inpatient: "#6f42c1",
    outpatient: "#6c757d",
    emergency: "#b02a37",
    crisis: "#e0a800",
    median: "#198754",
    override: "#fd7e14"
  };

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  // No animation: staff reload this page to read numbers, not to watch bars grow.
  Chart.defaults.animation = false;

  function weekLabels() {
    return data.weeks.map(function (iso) {
      return iso.slice(5); // MM-DD: the year is in the table below each chart
    });
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }

  // Intakes per week, one bar series per code of `group` (tracks or escalations).
  function weeklyBars(id, group, stacked) {
    draw(id, {
      type: "bar",
      data: {
        labels: weekLabels(),
        datasets: Object.keys(labels[group]).map(function (code) {
          return {
            label: labels[group][code],
            data: data[group][code],
            backgroundColor: COLOURS[code]
          };
        })
      },
      options: {
        scales: {
          x: { stacked: stacked, title: { display: true, text: labels.week_of } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 },
               title: { display: true, text: labels.intakes } }
        }
      }
    });
  }

  weeklyBars("chart-tracks", "tracks", true);
  weeklyBars("chart-escalations", "escalations", false);

  draw("chart-median", {
    type: "line",
    data: {
      labels: weekLabels(),
      datasets: [{
        label: labels.median,
        data: data.median_hours,
        borderColor: COLOURS.median,
        backgroundColor: COLOURS.median,
        spanGaps: true,
        tension: 0.2
      }]
    },
    options: {
      scales: {
        x: { title: { display: true, text: labels.week_of } },
        y: { beginAtZero: true, title: { display: true, text: labels.hours } }
      }
    }
  });

  // One row per rule, every rule labelled: the box grows with the number of rules instead of
  // Chart.js skipping every other label to fit a fixed height.
  var overrides = document.getElementById("chart-overrides");
  if (overrides && overrides.parentElement) {
    overrides.parentElement.style.height = Math.max(280, 28 * data.rules.length + 60) + "px";
  }
  draw("chart-overrides", {
    type: "bar",
    data: {
      labels: data.rules.map(function (rule) { return rule.code; }),
      datasets: [{
        label: labels.override_rate,
        data: data.rules.map(function (rule) { return rule.rate; }),
        backgroundColor: COLOURS.override
      }]
    },
    options: {
      indexAxis: "y",
      scales: {
        x: { beginAtZero: true, max: 100, title: { display: true, text: labels.override_rate } },
        y: { ticks: { autoSkip: false } }
      }
    }
  });
})();
