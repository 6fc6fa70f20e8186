/* The complaint pages' enhancements; every page works without them. No inline script (strict CSP). */
(function () {
  "use strict";
  var locate = document.getElementById("pakai-lokasi");
  if (locate && "geolocation" in navigator) {
    var status = document.getElementById("lokasi-status");
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("lintang").value = position.coords.latitude.toFixed(6);
        document.getElementById("bujur").value = position.coords.longitude.toFixed(6);
        status.textContent = locate.getAttribute("data-found");
      }, function () {
        status.textContent = locate.getAttribute("data-failed");
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }
  // A picker's search asks as one types; without this script its "Find" button sends the form.
  Array.prototype.forEach.call(document.querySelectorAll("input[data-find]"), function (input) {
    var results = document.getElementById(input.getAttribute("data-results")), timer = null, asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++asked;
        fetch(input.getAttribute("data-find") + "&q=" + encodeURIComponent(input.value.trim()))
          .then(function (answer) { return answer.ok ? answer.text() : ""; })
          .then(function (html) { if (mine === asked) { results.innerHTML = html; } });
      }, 300);
    });
  });
  var print = document.getElementById("cetak");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
