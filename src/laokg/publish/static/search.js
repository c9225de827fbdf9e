// laokg site search: matches the query against the prebuilt index (search-index.js, which
// sets window.LAOKG_INDEX) in the browser; no server. Case- and accent-insensitive, like
// `laokg search`: exact names first, then names starting with the text, then any match.
(function () {
  "use strict";
  var index = window.LAOKG_INDEX || [];
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) { return; }
  // the page's own depth decides the prefix of links (search.html sits at the root)
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function rank(key, words, names) {
    var best = 99;
    names.forEach(function (name) {
      var f = fold(name), r = 99;
      if (f === key) { r = 0; }
      else if (f.indexOf(key) === 0) { r = 1; }
      else if (f.split(/[\s\-(\/,.'"]+/).some(function (w) { return w.indexOf(key) === 0; })) { r = 2; }
      else if (f.indexOf(key) >= 0) { r = 3; }
      else if (words.length > 1 && words.every(function (w) { return f.indexOf(w) >= 0; })) { r = 4; }
      if (r < best) { best = r; }
    });
    return best;
  }
  function search(text) {
    var key = fold(text), words = key.split(" ");
    list.textContent = "";
    if (!key) { status.textContent = "Type a name, a title or part of one."; return; }
    var hits = [];
    index.forEach(function (entry) {
      var r = rank(key, words, [entry.l, entry.c].concat(entry.a));
      if (r < 99) { hits.push([r, fold(entry.l), entry]); }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    status.textContent = hits.length + (hits.length === 1 ? " match" : " matches") + " for \u201c" + text + "\u201d";
    hits.slice(0, 200).forEach(function (hit) {
      var entry = hit[2], li = document.createElement("li"), a = document.createElement("a");
      a.href = entry.u;
      a.textContent = entry.l;
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "curie";
      meta.textContent = " " + entry.c + (entry.t ? " \u2014 " + entry.t : "");
      li.appendChild(meta);
      list.appendChild(li);
    });
  }
  var params = new URLSearchParams(window.location.search);
  var q = params.get("q") || "";
  input.value = q;
  var header = document.getElementById("site-search");
  if (header) { header.value = q; }
  search(q);
  input.addEventListener("input", function () { search(input.value); });
}());
