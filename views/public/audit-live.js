// The record page, live: new entries arrive over Server-Sent Events as ready-made cards (rendered
// by the server like the rest of the page) and are put on top of the list. Only the newest page
// carries a stream. Without this script the page is complete; it just does not grow.
(function () {
  'use strict';
  var highlighted = document.querySelector('.audit-entry.highlighted');
  if (highlighted) highlighted.scrollIntoView({ block: 'center' });

  var list = document.querySelector('[data-audit-stream]');
  if (!list || !window.EventSource) return;
  var status = document.getElementById('audit-live-status');
  var empty = document.querySelector('.audit-empty');
  function say(text) {
    if (!status) return;
    status.hidden = false;
    status.textContent = text;
  }
  var source = new EventSource(list.getAttribute('data-audit-stream'));
  source.addEventListener('open', function () { say('实时更新中：新的操作记录会自动出现在列表顶部。'); });
  source.addEventListener('error', function () { say('实时更新连接中断，正在重新连接…'); });
  source.addEventListener('entry', function (event) {
    var entry;
    try { entry = JSON.parse(event.data); } catch (e) { return; }
    if (document.getElementById('seq-' + entry.seq)) return;
    list.insertAdjacentHTML('afterbegin', entry.html);
    var card = list.firstElementChild;
    if (card) card.classList.add('fresh');
    if (empty) { empty.remove(); empty = null; }
  });
})();
