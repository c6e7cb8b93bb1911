// Camera scanning where the browser can decode QR codes (BarcodeDetector); otherwise the
// controller types the code or a USB scanner types it followed by Enter.
(function () {
  var button = document.getElementById("camera-button");
  var note = document.getElementById("camera-note");
  var form = document.getElementById("scan-form");
  var input = document.getElementById("code");
  var video = document.getElementById("camera");
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) { note.hidden = false; return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream; video.style.display = "block"; video.play();
      function look() {
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            stream.getTracks().forEach(function (t) { t.stop(); });
            input.value = codes[0].rawValue; form.submit();
          } else { requestAnimationFrame(look); }
        }).catch(function () { requestAnimationFrame(look); });
      }
      look();
    }).catch(function () { note.hidden = false; });
  });
})();
