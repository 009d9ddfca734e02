// The bid form, enhanced: the same multipart post (same URL, same fields, the CSRF token first) sent
// through XMLHttpRequest, so the organisation sees the upload's progress and measured speed and is
// warned, while there is still time to act, when the upload would not be complete before the
// deadline. The deadline is the server's clock: a bid counts only once the server has it whole.
// Without this script the form posts as it is and the server answers with the same pages.
(function () {
  'use strict';
  if (!window.FormData || !window.DOMParser || !window.XMLHttpRequest) return;

  // the upload must be complete this long before the deadline: the server still checks, hashes
  // and stores the files after the last byte, and the measured speed is only an estimate
  var MARGIN_MS = 2 * 60 * 1000;
  // speed is measured over the last few seconds, so a connection that slows down is noticed
  var WINDOW_MS = 5000;
  // the first second or two mostly fill the device's network buffers and look too fast
  var SETTLE_MS = 2000;
  var MB = 1024 * 1024;

  // Server time = device time + offset, measured at load from the header's server time as app.js
  // does, so a device whose clock is wrong still warns at the right moment.
  var serverTime = document.getElementById('server-time');
  var offset = serverTime ? Date.parse(serverTime.getAttribute('datetime')) - Date.now() : 0;
  if (isNaN(offset)) offset = 0;
  function serverNow() {
    return Date.now() + offset;
  }
  var clockFormat = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false
  });

  function megabytes(bytes) {
    return (bytes / MB).toFixed(1) + ' MB';
  }
  function duration(ms) {
    var seconds = Math.max(1, Math.ceil(ms / 1000));
    if (seconds < 60) return seconds + ' 秒';
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' 分 ' + (seconds % 60) + ' 秒';
    return Math.floor(minutes / 60) + ' 小时 ' + (minutes % 60) + ' 分';
  }

  // Delegated, because a refused submission replaces the page's content, form included.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== 'bid-form') return;
    event.preventDefault();
    upload(form);
  });

  function upload(form) {
    var deadline = Date.parse(form.getAttribute('data-deadline'));
    var status = form.querySelector('#upload-status');
    var bar = form.querySelector('#upload-progress');
    var text = form.querySelector('#upload-text');
    var warning = form.querySelector('#upload-warning');
    var submit = form.querySelector('#bid-submit');
    var cancel = form.querySelector('#upload-cancel');
    var files = form.querySelector('input[type=file]').files;
    var total = 0;
    for (var i = 0; i < files.length; i++) total += files[i].size;

    function warn(message) {
      warning.textContent = message;
      warning.hidden = false;
    }
    // Warned before a byte is sent when the margin is already gone; the server still decides.
    if (serverNow() > deadline - MARGIN_MS) {
      warn(serverNow() >= deadline
        ? '提交已截止（服务器时间 ' + clockFormat.format(new Date(serverNow())) + '），服务器将拒绝本次提交。'
        : '距提交截止已不足 2 分钟（截止于服务器时间 ' + clockFormat.format(new Date(deadline)) +
          '）。截止前未完整上传的提交无效。');
    } else {
      warning.hidden = true;
    }

    var xhr = new XMLHttpRequest();
    var samples = [];
    var started = performance.now();
    submit.disabled = true;
    status.hidden = false;
    bar.value = 0;
    text.textContent = '正在上传 ' + megabytes(total) + '……';

    xhr.upload.addEventListener('progress', function (e) {
      var size = e.lengthComputable ? e.total : total;
      var now = performance.now();
      samples.push({ at: now, loaded: e.loaded });
      while (samples.length > 2 && now - samples[1].at >= WINDOW_MS) samples.shift();
      var first = samples[0];
      var percent = size ? Math.min(100, Math.floor((e.loaded / size) * 100)) : 0;
      bar.value = percent;
      var line = percent + '%（' + megabytes(e.loaded) + ' / ' + megabytes(size) + '）';
      if (now - started >= SETTLE_MS && now > first.at && e.loaded > first.loaded) {
        var speed = (e.loaded - first.loaded) / (now - first.at); // bytes per ms
        var left = (size - e.loaded) / speed;
        line += '，速度 ' + ((speed * 1000) / MB).toFixed(2) + ' MB/s，预计还需 ' + duration(left);
        var finish = serverNow() + left;
        if (finish > deadline - MARGIN_MS) {
          warn('按当前速度，上传预计在服务器时间 ' + clockFormat.format(new Date(finish)) + ' 完成，' +
            '晚于截止时间（' + clockFormat.format(new Date(deadline)) + '）前 2 分钟的安全余量。' +
            '截止前未完整上传的提交无效：请改用更快的网络，或取消后压缩文件再提交。');
        } else {
          warning.hidden = true;
        }
      }
      text.textContent = line;
    });
    var sentWhole = false;
    xhr.upload.addEventListener('load', function () {
      sentWhole = true;
      bar.value = 100;
      text.textContent = '文件已全部上传，服务器正在校验、计算摘要并加密保存，请稍候……';
    });

    function stop(message) {
      submit.disabled = false;
      status.hidden = true;
      if (message) warn(message);
    }
    xhr.addEventListener('load', function () {
      // 200 is the receipt itself (its file list and salt are shown only in this answer, never
      // fetched again), anything else the form with the refusal; either replaces this page's content
      if (!showPage(xhr.responseText)) stop('提交未成功（HTTP ' + xhr.status + '），请刷新页面后重试。');
    });
    xhr.addEventListener('error', function () {
      // once every byte is out the server may have recorded the bid before the connection broke:
      // the page lists what it received
      stop(sentWhole
        ? '文件已全部发出，但连接中断，没有收到回执；服务器可能已经接收。请刷新本页查看“本单位的响应文件”：' +
          '列出新的版本即已收到，可在其中查看并打印回执，无需重新提交。'
        : '上传中断，本次提交未完成（网络故障，或服务器因文件过大等原因停止接收）。请检查后重新提交。');
    });
    xhr.addEventListener('abort', function () {
      stop(null);
    });
    cancel.onclick = function () {
      xhr.abort();
    };

    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'text/html');
    xhr.send(new FormData(form));
  }

  // The receipt, or a refused submission with the messages beside the fields, comes back as a page
  // whose content replaces this page's. innerHTML never runs scripts, and none are needed: this
  // one is delegated. Returns false when the answer is not such a page.
  function showPage(html) {
    var page = new DOMParser().parseFromString(html, 'text/html');
    var main = page.querySelector('main');
    var current = document.querySelector('main');
    if (!main || !current) return false;
    current.innerHTML = main.innerHTML;
    document.title = page.title;
    var first = current.querySelector('[role=alert]:not([hidden]), .error');
    if (first) {
      first.setAttribute('tabindex', '-1');
      first.focus();
    } else {
      window.scrollTo(0, 0);
    }
    return true;
  }
})();
