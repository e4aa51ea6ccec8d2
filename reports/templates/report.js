/* eu-residency-scanner report: findings explorer. No network, no innerHTML: every value from
   a cloud API reaches the page through textContent only. */
(function () {
  "use strict";
  var STATUS_RANK = { fail: 0, error: 1, warn: 2, manual: 3, muted: 4, pass: 5 };
  var SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var COLUMNS = ["id", "rule", "target", "provider", "resource", "name", "status", "severity",
    "message", "location", "country", "jurisdiction", "evidence", "waiver"];
  var C = {};
  COLUMNS.forEach(function (name, i) { C[name] = i; });

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https:\/\//.test(url) ? url : null;
  }

  function decode(blob) {
    var binary = atob(blob.trim());
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text().then(JSON.parse);
  }

  function Explorer(root, data, rows, pageSize) {
    this.root = root;
    this.data = data;
    this.all = rows;
    this.rows = rows;
    this.pageSize = pageSize;
    this.page = 0;
    this.sort = null;
    this.open = {};
    this.body = root.querySelector("tbody");
    this.shown = root.querySelector(".shown");
    this.pageLabel = root.querySelector(".page");
    this.search = root.querySelector(".q");
    this.selects = Array.prototype.slice.call(root.querySelectorAll("select.f"));
    this.fill();
    this.bind();
    this.apply();
  }

  Explorer.prototype.value = function (row, field) {
    if (field === "check") { return this.data.rules[row[C.rule]].id; }
    if (field === "provider") { return this.data.providers[row[C.provider]]; }
    if (field === "country") { return row[C.country] || "unknown"; }
    return row[C[field]];
  };

  Explorer.prototype.fill = function () {
    var self = this;
    this.selects.forEach(function (select) {
      var field = select.getAttribute("data-field");
      var seen = {};
      self.all.forEach(function (row) { seen[self.value(row, field)] = true; });
      var values = Object.keys(seen);
      if (field === "status") { values.sort(function (a, b) { return STATUS_RANK[a] - STATUS_RANK[b]; }); }
      else if (field === "severity") { values.sort(function (a, b) { return SEVERITY_RANK[a] - SEVERITY_RANK[b]; }); }
      else { values.sort(); }
      values.forEach(function (v) {
        var option = el("option", null, v);
        option.value = v;
        select.appendChild(option);
      });
    });
  };

  Explorer.prototype.bind = function () {
    var self = this;
    var timer = null;
    this.search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.apply(); }, 120);
    });
    this.selects.forEach(function (s) { s.addEventListener("change", function () { self.apply(); }); });
    this.root.querySelector(".prev").addEventListener("click", function () { self.go(self.page - 1); });
    this.root.querySelector(".next").addEventListener("click", function () { self.go(self.page + 1); });
    Array.prototype.forEach.call(this.root.querySelectorAll("th[data-sort]"), function (th) {
      th.tabIndex = 0;
      var handler = function () { self.sortBy(th); };
      th.addEventListener("click", handler);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); handler(); } });
    });
  };

  Explorer.prototype.setFilter = function (field, value) {
    this.selects.forEach(function (s) { if (s.getAttribute("data-field") === field) { s.value = value; } });
    this.apply();
  };

  Explorer.prototype.haystack = function (row) {
    if (row.hay === undefined) {
      row.hay = [row[C.name], row[C.resource], row[C.message], this.data.rules[row[C.rule]].id,
        row[C.location], row[C.country]].join("\n").toLowerCase();
    }
    return row.hay;
  };

  Explorer.prototype.apply = function () {
    var self = this;
    var query = this.search.value.trim().toLowerCase();
    var filters = this.selects.filter(function (s) { return s.value !== ""; }).map(function (s) {
      return [s.getAttribute("data-field"), s.value];
    });
    this.rows = this.all.filter(function (row) {
      for (var i = 0; i < filters.length; i++) {
        if (String(self.value(row, filters[i][0])) !== filters[i][1]) { return false; }
      }
      return !query || self.haystack(row).indexOf(query) !== -1;
    });
    if (this.sort) { this.sorted(); }
    this.go(0);
  };

  Explorer.prototype.key = function (row, field) {
    if (field === "status") { return STATUS_RANK[row[C.status]]; }
    if (field === "severity") { return SEVERITY_RANK[row[C.severity]]; }
    return String(this.value(row, field) || "").toLowerCase();
  };

  Explorer.prototype.sortBy = function (th) {
    var field = th.getAttribute("data-sort");
    var ascending = !(this.sort && this.sort.field === field && this.sort.ascending);
    this.sort = { field: field, ascending: ascending };
    Array.prototype.forEach.call(this.root.querySelectorAll("th[data-sort]"), function (other) {
      other.setAttribute("aria-sort", other === th ? (ascending ? "ascending" : "descending") : "none");
    });
    this.sorted();
    this.go(0);
  };

  Explorer.prototype.sorted = function () {
    var self = this;
    var field = this.sort.field;
    var sign = this.sort.ascending ? 1 : -1;
    this.rows = this.rows.slice().sort(function (a, b) {
      var x = self.key(a, field), y = self.key(b, field);
      return x < y ? -sign : x > y ? sign : 0;
    });
  };

  Explorer.prototype.go = function (page) {
    var pages = Math.max(1, Math.ceil(this.rows.length / this.pageSize));
    this.page = Math.min(Math.max(page, 0), pages - 1);
    this.draw();
    this.pageLabel.textContent = "Page " + (this.page + 1) + " of " + pages;
    this.root.querySelector(".prev").disabled = this.page === 0;
    this.root.querySelector(".next").disabled = this.page >= pages - 1;
    this.shown.textContent = this.rows.length + " of " + this.all.length + " finding(s)";
  };

  Explorer.prototype.draw = function () {
    var self = this;
    var start = this.page * this.pageSize;
    var fragment = document.createDocumentFragment();
    this.rows.slice(start, start + this.pageSize).forEach(function (row) {
      var tr = el("tr", "finding");
      var statusCell = el("td", "s-" + row[C.status]);
      var toggle = el("button", "toggle", row[C.status]);
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", self.open[row[C.id]] ? "true" : "false");
      statusCell.appendChild(toggle);
      tr.appendChild(statusCell);
      tr.appendChild(el("td", "sev-" + row[C.severity], row[C.severity]));
      var nameCell = el("td", "resource");
      nameCell.appendChild(el("span", "name", row[C.name]));
      nameCell.appendChild(el("span", "uid", row[C.resource]));
      tr.appendChild(nameCell);
      tr.appendChild(el("td", "check", self.data.rules[row[C.rule]].id));
      var where = row[C.country] || "?";
      tr.appendChild(el("td", "j-" + (row[C.jurisdiction] || "none"),
        where + (row[C.jurisdiction] ? " · " + row[C.jurisdiction].replace("_", " ") : "")));
      tr.appendChild(el("td", "message", row[C.message]));
      fragment.appendChild(tr);
      var detail = self.detail(row);
      detail.hidden = !self.open[row[C.id]];
      fragment.appendChild(detail);
      toggle.addEventListener("click", function () {
        var opened = detail.hidden;
        detail.hidden = !opened;
        self.open[row[C.id]] = opened;
        toggle.setAttribute("aria-expanded", opened ? "true" : "false");
      });
    });
    this.body.textContent = "";
    this.body.appendChild(fragment);
  };

  Explorer.prototype.detail = function (row) {
    var rule = this.data.rules[row[C.rule]];
    var tr = el("tr", "detail");
    var td = el("td");
    td.colSpan = 6;
    td.appendChild(el("h3", null, rule.title));
    var articles = el("p", "articles", "GDPR: ");
    rule.articles.forEach(function (article, i) {
      if (i) { articles.appendChild(document.createTextNode(", ")); }
      var url = safeUrl(article.url);
      var link = el(url ? "a" : "span", null, article.label + (article.title ? " (" + article.title + ")" : ""));
      if (url) { link.href = url; link.rel = "noopener noreferrer"; link.target = "_blank"; }
      articles.appendChild(link);
    });
    td.appendChild(articles);
    td.appendChild(el("p", "remediation", "Remediation: " + rule.remediation));
    var waiverIndex = row[C.waiver];
    if (waiverIndex >= 0) {
      var w = this.data.waivers[waiverIndex];
      td.appendChild(el("p", "waiver w-" + w.state, "Waiver (" + w.state + "): " + w.reason +
        " - owner " + w.owner + ", expires " + w.expires));
    } else {
      td.appendChild(el("p", "waiver", "Waiver: none"));
    }
    td.appendChild(el("p", "ids", "Finding " + row[C.id] + " · target " + this.data.targets[row[C.target]] +
      " · location " + (row[C.location] || "unknown")));
    var evidence = this.data.evidence[row[C.evidence]];
    td.appendChild(el("pre", "evidence", JSON.stringify(JSON.parse(evidence), null, 2)));
    tr.appendChild(td);
    return tr;
  };

  function start(data) {
    var pageSize = Number(document.getElementById("findings-data").getAttribute("data-page-size")) || 100;
    var byTarget = data.targets.map(function () { return []; });
    data.rows.forEach(function (row) { byTarget[row[C.target]].push(row); });
    var explorers = {};
    function explorer(number) {
      if (!explorers[number]) {
        var root = document.querySelector('.explorer[data-target="' + number + '"]');
        if (!root) { return null; }
        explorers[number] = new Explorer(root, data, byTarget[number] || [], pageSize);
      }
      return explorers[number];
    }
    Array.prototype.forEach.call(document.querySelectorAll("details.target"), function (details) {
      var number = details.getAttribute("data-target");
      if (details.open) { explorer(number); }
      details.addEventListener("toggle", function () { if (details.open) { explorer(number); } });
    });
    Array.prototype.forEach.call(document.querySelectorAll(".matrix a[data-target]"), function (link) {
      link.addEventListener("click", function () {
        var number = link.getAttribute("data-target");
        var details = document.getElementById("target-" + number);
        details.open = true;
        var found = explorer(number);
        if (found) { found.setFilter("check", link.getAttribute("data-check") || ""); }
      });
    });
    document.body.setAttribute("data-ready", "true");
  }

  var source = document.getElementById("findings-data");
  if (source) {
    decode(source.textContent).then(start, function (error) {
      document.body.setAttribute("data-ready", "error");
      var main = document.querySelector("main");
      main.insertBefore(el("p", "s-error", "The findings could not be loaded: " + error), main.firstChild);
    });
  }
})();
