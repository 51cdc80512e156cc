/**
 * The Luhn (mod 10) check digit test card numbers carry. `digits` must hold only ASCII
 * digits; one wrong or swapped digit fails it, and a random number passes 1 time in 10.
 *
 * @example
 * luhnValid("4111111111111111"); // true
 * luhnValid("4111111111111112"); // false
 */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}
