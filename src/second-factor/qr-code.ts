import QRCode from 'qrcode';

/** The URI as a QR code in SVG (no canvas needed), for the enrolment screen. */
export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
