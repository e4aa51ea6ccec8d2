/* eu-residency-scanner report: the transfer register table, sorted and filtered in place.
   Rows are rendered (escaped) by the server; this only reorders and hides them. */
(function () {
  "use strict";
  var VERDICT_RANK = { fail: 0, error: 1, warn: 2, manual: 3, muted: 4, pass: 5 };
  var section = document.querySelector("section.register");
  var table = section && section.querySelector("table.register-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var search = section.querySelector("input.rq");
  var selects = Array.prototype.slice.call(section.querySelectorAll("select.rf"));
  var shown = section.querySelector(".shown");
  var headers = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));
  var sort = null;

  function key(row, column) {
    var cell = row.cells[column];
    var text = cell.textContent.trim();
    if (cell.hasAttribute("data-value")) { return Number(cell.getAttribute("data-value")); }
    if (cell.classList.contains("rv")) { return VERDICT_RANK[text]; }
    return text.toLowerCase();
  }

  function apply() {
    var query = search.value.trim().toLowerCase();
    var visible = 0;
    rows.forEach(function (row) {
      var match = (!query || row.textContent.toLowerCase().indexOf(query) !== -1) &&
        selects.every(function (s) { return !s.value || row.getAttribute("data-" + s.getAttribute("data-field")) === s.value; });
      row.hidden = !match;
      if (match) { visible += 1; }
    });
    shown.textContent = visible + " of " + rows.length + " row(s)";
  }

  function sortBy(th) {
    var column = headers.indexOf(th);
    var ascending = !(sort && sort.column === column && sort.ascending);
    sort = { column: column, ascending: ascending };
    headers.forEach(function (other) {
      other.setAttribute("aria-sort", other === th ? (ascending ? "ascending" : "descending") : "none");
    });
    rows.sort(function (a, b) {
      var x = key(a, column), y = key(b, column);
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  headers.forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); } });
  });
  search.addEventListener("input", apply);
  selects.forEach(function (s) { s.addEventListener("change", apply); });
  apply();
})();
