// Fill the visit form's latitude and longitude from the phone's position, on request.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  if (!button || !("geolocation" in navigator)) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
    });
  });
})();
