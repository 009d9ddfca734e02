// Keeps the header's server time running. The offset between the server's clock and this
// device's is measured once at load, so a device whose clock is wrong still shows server time.
(function () {
  'use strict';
  var el = document.getElementById('server-time');
  if (!el) return;
  var serverAtLoad = Date.parse(el.getAttribute('datetime'));
  if (isNaN(serverAtLoad)) return;
  var offset = serverAtLoad - Date.now();
  var format = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false
  });
  function tick() {
    var now = new Date(Date.now() + offset);
    el.textContent = format.format(now) + '（北京时间）';
    el.setAttribute('datetime', now.toISOString());
  }
  setInterval(tick, 1000);
})();
