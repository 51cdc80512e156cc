import { dateOfBirthDetector } from "./date-of-birth.js";
import { emailDetector } from "./email.js";
import { ibanDetector } from "./iban.js";
import { ipAddressDetector } from "./ip-address.js";
import { paymentCardDetector } from "./payment-card.js";
import { personNameDetector } from "./person-name.js";
import { phoneDetector } from "./phone.js";
import type { PiiDetector } from "./pii-detector.js";
import { ssnDetector } from "./ssn.js";

/** Every detector, strict classes first (a value is checked against each). */
export const PII_DETECTORS: readonly PiiDetector[] = [
  emailDetector,
  phoneDetector,
  ssnDetector,
  paymentCardDetector,
  ibanDetector,
  ipAddressDetector,
  dateOfBirthDetector,
  personNameDetector,
];
