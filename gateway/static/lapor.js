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
  var print = document.getElementById("cetak");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
})();
