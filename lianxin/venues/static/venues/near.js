// "附近" button: ask the phone for its position and reload the list sorted by distance (computed on the
// server). No map tiles, no third-party requests; served from our own static files (CSP: no inline JS).
(function () {
  var btn = document.getElementById("near-me");
  if (!btn) return;
  if (!("geolocation" in navigator)) { btn.hidden = true; return; }
  btn.addEventListener("click", function () {
    btn.disabled = true;
    btn.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var u = new URL(window.location.href);
      u.searchParams.set("lat", pos.coords.latitude.toFixed(5));
      u.searchParams.set("lng", pos.coords.longitude.toFixed(5));
      window.location.assign(u.toString());
    }, function () {
      btn.disabled = false;
      btn.textContent = "无法获取位置，请检查定位权限";
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
  });
})();
