// Seat picking on the SVG seat map: click or Space/Enter toggles a free seat.
(function () {
  var form = document.getElementById("map-form");
  if (!form) return;
  var input = document.getElementById("picked-seats");
  var count = document.getElementById("picked-count");
  var picked = new Set();
  function toggle(seat) {
    var id = seat.getAttribute("data-id");
    if (picked.has(id)) { picked.delete(id); seat.setAttribute("aria-checked", "false"); seat.classList.remove("picked"); }
    else { picked.add(id); seat.setAttribute("aria-checked", "true"); seat.classList.add("picked"); }
    input.value = Array.from(picked).join(",");
    count.textContent = picked.size;
  }
  form.querySelectorAll("circle.seat.free").forEach(function (seat) {
    seat.addEventListener("click", function () { toggle(seat); });
    seat.addEventListener("keydown", function (e) {
      if (e.key === " " || e.key === "Enter") { e.preventDefault(); toggle(seat); }
    });
  });
})();
