/* The wave page, kept fresh: every few seconds it asks the wave's results
   (JSON) and puts the new numbers in place, while the tab is visible and
   until the results say to stop (a day after the wave finished). Without
   script the page shows the numbers of when it loaded, and its Refresh link
   loads it again. */
(function () {
  "use strict";
  var page = document.querySelector(".wave-page");
  if (!page || !window.fetch) { return; }
  var url = page.dataset.resultsUrl;
  var seconds = Math.max(parseInt(page.dataset.pollSeconds, 10) || 3, 1);
  var dash = "\u2013";
  var language = document.documentElement.lang || undefined;

  // As the page's own template writes it: counts as they are, rates and
  // NPS with one decimal in the page's language ("33,3" in Polish).
  function shown(value, element) {
    if (value === null || value === undefined) { return dash; }
    var text = String(value);
    if (element.dataset.decimals) {
      var digits = parseInt(element.dataset.decimals, 10);
      text = Number(value).toLocaleString(language, {
        minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false
      });
    }
    return text + (element.dataset.suffix || "");
  }

  function put(element, number) {
    if (!element) { return; }
    var value = number !== null && typeof number === "object" ? number.value : number;
    element.textContent = shown(value, element);
    if (number && number.url && element.tagName === "A") { element.href = number.url; }
  }

  function update(results) {
    Object.keys(results.numbers).forEach(function (name) {
      put(page.querySelector('[data-number="' + name + '"]'), results.numbers[name]);
    });
    page.querySelector('[data-field="chunks_done"]').textContent = results.chunks_done;
    page.querySelector('[data-field="chunk_count"]').textContent = results.chunk_count;
    page.querySelector('[data-state="running"]').hidden = results.finished;
    page.querySelector('[data-state="finished"]').hidden = !results.finished;
    ["interval", "warning"].forEach(function (name) {
      var element = document.getElementById("wave-" + name);
      element.textContent = results[name] || "";
      element.hidden = !results[name];
    });
    var known = {};
    results.languages.forEach(function (row) {
      var line = page.querySelector('tr[data-language="' + row.language + '"]');
      if (!line) { known.missing = true; return; }
      put(line.querySelector('[data-cell="invited"]'), row.invited);
      put(line.querySelector('[data-cell="answered"]'), row.answered);
      put(line.querySelector('[data-cell="response_rate"]'), row.response_rate);
      put(line.querySelector('[data-cell="nps"]'), row.nps);
    });
    page.dataset.updated = String(Date.now());
    // A language the page has no line for yet: the page itself draws it.
    if (known.missing) { window.location.reload(); }
  }

  var timer = null;
  var asking = false;
  var polling = page.dataset.poll !== "no";

  function schedule() {
    asking = false;
    window.clearTimeout(timer);
    timer = polling && !document.hidden ? window.setTimeout(poll, seconds * 1000) : null;
  }

  function poll() {
    timer = null;
    asking = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (results) {
        if (results) { update(results); polling = results.poll !== false; }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(schedule);
  }
  // A hidden tab asks nothing; shown again, it asks at once.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { window.clearTimeout(timer); timer = null; }
    else if (polling && timer === null && !asking) { poll(); }
  });
  schedule();
}());
