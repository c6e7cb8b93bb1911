// Running count and total of the subscription form. The server computes the real price
// (the "Calculate" button works without this script); this only keeps the figures live.
(function () {
  var form = document.getElementById("subscription-form");
  if (!form) return;
  var fmt = new Intl.NumberFormat(document.documentElement.lang || "fr", {style: "currency", currency: form.dataset.currency});
  function num(v) { var n = parseInt(v, 10); return isNaN(n) || n < 0 ? 0 : n; }
  function cents(s) { return s ? Math.round(parseFloat(s) * 100) : 0; }
  function update() {
    var subs = Array.prototype.map.call(form.querySelectorAll("input.subscribers"), function (i) { return [i.dataset.tariff, num(i.value)]; });
    var total = 0, count = 0;
    if (form.dataset.package === "1") {
      var opt = form.querySelector("select.package-category").selectedOptions[0];
      subs.forEach(function (s) { total += s[1] * cents(opt && opt.getAttribute("data-t" + s[0])); });
      count = form.querySelectorAll("ul.perfs li").length;
    } else {
      form.querySelectorAll("tr.line").forEach(function (row) {
        var cell = row.querySelector(".line-total");
        if (!row.querySelector(".line-check").checked) { cell.textContent = ""; return; }
        var opt = row.querySelector("select.line-category").selectedOptions[0], line = 0;
        subs.forEach(function (s) { line += s[1] * cents(opt && opt.getAttribute("data-t" + s[0])); });
        row.querySelectorAll("input.extra").forEach(function (e) { line += num(e.value) * cents(opt && opt.getAttribute("data-e" + e.dataset.tariff)); });
        cell.textContent = fmt.format(line / 100);
        total += line; count += 1;
      });
    }
    document.getElementById("sub-count").textContent = count + " / " + form.dataset.min + "–" + form.dataset.max;
    document.getElementById("sub-total").textContent = fmt.format(total / 100);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
