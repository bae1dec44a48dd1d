// The "Two-step verification" panel: enrol an authenticator app (QR code and the key to type), show the
// recovery codes once (copy, download), confirm, renew the codes, turn it off. The secret and the codes
// live only in the page while shown; nothing is stored.
import * as api from './api.js';

const byId = (id) => document.getElementById(id);

/** `ui`: the page's helpers (account.js): onSubmit, showFailure, announce, sessionEnded, reloadViewer. */
export function initTwoStep(ui) {
  const forms = {
    start: byId('totp-start-form'),
    confirm: byId('totp-confirm-form'),
    regenerate: byId('totp-regenerate-form'),
    disable: byId('totp-disable-form'),
  };
  let shownCodes = [];

  /** What the panel shows for the account's state; `codes` open the recovery codes box. */
  function render(viewer) {
    const status = viewer?.secondFactor ?? { totp: false, recoveryCodesLeft: 0 };
    byId('two-step-state').textContent = status.totp
      ? `On: sign-in and password changes ask for a code. ${status.recoveryCodesLeft} of 10 recovery codes left.`
      : 'Off: your password alone signs you in.';
    const showingCodes = !byId('recovery-codes').hidden;
    forms.start.hidden = status.totp || showingCodes || !byId('totp-enrol').hidden;
    forms.regenerate.hidden = !status.totp || showingCodes;
    forms.disable.hidden = !status.totp || showingCodes;
    for (const input of document.querySelectorAll('#panel-two-step [name=username]')) input.value = viewer?.email ?? '';
  }

  function showCodes(codes) {
    shownCodes = codes;
    const list = byId('recovery-codes-list');
    list.replaceChildren(
      ...codes.map((code) => {
        const item = document.createElement('li');
        const text = document.createElement('code');
        text.textContent = code;
        item.append(text);
        return item;
      }),
    );
    byId('totp-enrol').hidden = true;
    byId('recovery-codes').hidden = false;
    byId('recovery-codes-title').focus();
  }

  const handle = (form, result, success) => {
    if (result.__typename === 'InvalidSessionError') return ui.sessionEnded();
    if (result.__typename !== success) return ui.showFailure(form, result);
    form.reset();
    return null;
  };

  ui.onSubmit(forms.start, async (data) => {
    const result = await api.startTotpEnrollment({ currentPassword: data.get('currentPassword') });
    if (handle(forms.start, result, 'StartTotpEnrollmentSuccess') !== null) return;
    // The server's own SVG (no script, no external reference), parsed as SVG rather than set as HTML.
    const svg = new DOMParser().parseFromString(result.qrCodeSvg, 'image/svg+xml').documentElement;
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    byId('totp-qr').replaceChildren(document.importNode(svg, true));
    byId('totp-secret').textContent = result.secret.replace(/(.{4})(?=.)/g, '$1 ');
    forms.start.hidden = true;
    byId('totp-enrol').hidden = false;
    byId('totp-confirm-code').focus();
  });

  ui.onSubmit(forms.confirm, async (data) => {
    const result = await api.confirmTotpEnrollment({ code: data.get('code') });
    if (handle(forms.confirm, result, 'ConfirmTotpEnrollmentSuccess') !== null) return;
    byId('totp-secret').textContent = '';
    byId('totp-qr').replaceChildren();
    showCodes(result.recoveryCodes);
    ui.announce('Two-step verification is on. Save your recovery codes now.');
  });

  ui.onSubmit(forms.regenerate, async (data) => {
    const result = await api.regenerateRecoveryCodes({ secondFactorCode: data.get('secondFactorCode') });
    if (handle(forms.regenerate, result, 'RegenerateRecoveryCodesSuccess') !== null) return;
    showCodes(result.recoveryCodes);
    render(await ui.reloadViewer());
    ui.announce('New recovery codes: the old ones no longer work.');
  });

  ui.onSubmit(forms.disable, async (data) => {
    const result = await api.disableTotp({ currentPassword: data.get('currentPassword'), secondFactorCode: data.get('secondFactorCode') });
    if (handle(forms.disable, result, 'DisableTotpSuccess') !== null) return;
    render(await ui.reloadViewer());
    ui.announce(result.message);
  });

  byId('copy-recovery-codes').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(shownCodes.join('\n'));
      ui.announce('Recovery codes copied.');
    } catch {
      ui.announce('Copying is not allowed here: select the codes, or download them.');
    }
  });

  byId('download-recovery-codes').addEventListener('click', () => {
    const blob = new Blob([`Rekey recovery codes (each works once)\n\n${shownCodes.join('\n')}\n`], { type: 'text/plain' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'rekey-recovery-codes.txt';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 0);
    ui.announce('Recovery codes downloaded.');
  });

  byId('recovery-codes-done').addEventListener('click', async () => {
    shownCodes = [];
    byId('recovery-codes-list').replaceChildren();
    byId('recovery-codes').hidden = true;
    render(await ui.reloadViewer());
    byId('two-step-title').focus();
  });

  /** Called when the panel opens: a fresh state, no secret or code left on screen. */
  return {
    open(viewer) {
      for (const form of Object.values(forms)) form.reset();
      byId('totp-enrol').hidden = true;
      byId('totp-qr').replaceChildren();
      byId('totp-secret').textContent = '';
      if (byId('recovery-codes').hidden) shownCodes = [];
      render(viewer);
    },
  };
}
