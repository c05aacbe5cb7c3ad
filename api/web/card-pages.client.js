/* global document, window, fetch, URL, setTimeout, Stripe */
// The pay page and the payout onboarding pages (api/web/card-pages.ts render them): the member's session
// comes from the dashboard's refresh cookie, everything shown comes from our API, never from the URL.
'use strict';

(function () {
  var main = document.getElementById('page');
  if (!main) return;
  var el = function (id) {
    return document.getElementById(id);
  };
  var say = function (text) {
    el('status').textContent = text;
  };
  var sleep = function (ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  };

  async function accessToken() {
    var res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: { 'X-Guildflow-CSRF': '1' } });
    if (!res.ok) return null;
    return (await res.json()).accessToken;
  }

  async function api(token, method, path) {
    var res = await fetch(path, { method: method, headers: { Authorization: 'Bearer ' + token } });
    var body = await res.json().catch(function () {
      return {};
    });
    if (!res.ok) throw new Error((body.error && body.error.message) || 'The request failed (' + res.status + ').');
    return body;
  }

  var money = function (cents, currency) {
    return (cents / 100).toFixed(2) + ' ' + String(currency).toUpperCase();
  };
  var ESCROW = {
    pending: 'waiting for the payment',
    held: 'paid: the cash is held until both of you confirm receipt',
    failed: 'the payment failed or was cancelled',
    refunded: 'refunded to the payer',
    released: 'paid out to the payee',
  };

  async function payPage(token) {
    var path = '/api/cards/pay/' + encodeURIComponent(main.dataset.proposal);
    var view = await api(token, 'GET', path);
    // Back from Stripe (its return_url): a payment may still be processing, so ask our API again a while.
    var returned = new URL(window.location.href).searchParams.has('payment_intent');
    for (var i = 0; returned && view.escrowStatus === 'pending' && i < 15; i++) {
      say('Checking your payment with Stripe…');
      await sleep(2000);
      view = await api(token, 'GET', path);
    }
    var state = view.escrowStatus ? ESCROW[view.escrowStatus] || view.escrowStatus : 'no payment is open (the trade is ' + view.tradeStatus + ')';
    say('Cash part: ' + money(view.amountCents, view.currency) + ' — ' + state + '.');
    if (view.role !== 'payer' || view.escrowStatus !== 'pending' || view.tradeStatus !== 'accepted' || returned) return;
    if (!main.dataset.key || typeof Stripe !== 'function') {
      say('Payments are not set up on this Guildflow.');
      return;
    }
    var secret = await api(token, 'GET', path + '/client-secret');
    var stripe = Stripe(main.dataset.key);
    var elements = stripe.elements({ clientSecret: secret.clientSecret });
    elements.create('payment').mount('#payment-element');
    var form = el('pay-form');
    form.hidden = false;
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      el('pay-button').disabled = true;
      var result = await stripe.confirmPayment({ elements: elements, confirmParams: { return_url: window.location.origin + window.location.pathname } });
      // Only a failure comes back here; a success goes to return_url, where our API says what happened.
      say(result.error ? result.error.message : 'Payment sent.');
      el('pay-button').disabled = false;
    });
  }

  async function onboardPage(token) {
    say('Opening a fresh Stripe onboarding link…');
    var link = await api(token, 'POST', '/api/cards/payouts/onboard');
    window.location.replace(link.onboardingUrl);
  }

  async function payoutsPage(token) {
    var account = await api(token, 'GET', '/api/cards/payouts/account');
    if (account.ready) {
      say('Your payouts are ready: the cash part of your trades can be paid to you.');
      return;
    }
    say(
      (account.detailsSubmitted ? 'Stripe is still checking your details.' : 'Your Stripe onboarding is not finished.') +
        (account.missing.length ? ' Still needed: ' + account.missing.join(', ') + '.' : ''),
    );
    el('continue').hidden = false;
  }

  var pages = { pay: payPage, onboard: onboardPage, payouts: payoutsPage };
  (async function () {
    var token = await accessToken();
    if (!token) {
      say('Sign in with Discord to continue.');
      el('signin').hidden = false;
      return;
    }
    await pages[main.dataset.page](token);
  })().catch(function (err) {
    say(err.message);
  });
})();
