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
  // Deadline countdowns run on the same server offset, so they are right on a wrong device clock.
  var countdowns = document.querySelectorAll('.countdown[data-deadline]');
  function remaining(ms) {
    if (ms <= 0) return '已截止';
    var minutes = Math.floor(ms / 60000);
    return Math.floor(minutes / 1440) + ' 天 ' + Math.floor((minutes % 1440) / 60) + ' 小时 ' + (minutes % 60) + ' 分';
  }
  function tick() {
    var now = new Date(Date.now() + offset);
    el.textContent = format.format(now) + '（北京时间）';
    el.setAttribute('datetime', now.toISOString());
    for (var i = 0; i < countdowns.length; i++) {
      var left = Date.parse(countdowns[i].getAttribute('data-deadline')) - now.getTime();
      var text = remaining(left);
      countdowns[i].textContent = countdowns[i].textContent.indexOf('剩余') === 0 ? '剩余 ' + text : text;
    }
  }
  tick();
  setInterval(tick, 1000);
})();
