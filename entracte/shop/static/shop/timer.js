// Counts down the cart's hold and reloads the cart when it runs out.
(function () {
  var el = document.getElementById("hold-timer");
  if (!el) return;
  var end = Date.parse(el.getAttribute("data-expires"));
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left === 0) { window.location.reload(); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
