/**
 * The URI as a QR code in SVG (no canvas needed), for the enrolment screen.
 * The library (and its PNG encoder) loads on the first enrolment, not with every server.
 */
export async function qrCodeSvg(text: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
