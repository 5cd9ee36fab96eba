const SECRET_FIELDS = Symbol('keyhold:secret-fields');

type WithSecretFields = { [SECRET_FIELDS]?: Set<string> };

/**
 * Marks a body field that legitimately holds a secret (a password, a reported token). Every other
 * text field is refused when it contains something shaped like a token: names, emails and search
 * terms are stored, logged or echoed, and a pasted secret must never land there.
 */
export function CarriesSecret(): PropertyDecorator {
  return (prototype, property) => {
    const target = prototype as WithSecretFields;
    const own = Object.prototype.hasOwnProperty.call(target, SECRET_FIELDS)
      ? target[SECRET_FIELDS]
      : undefined;
    const fields = own ?? new Set(target[SECRET_FIELDS] ?? []);
    fields.add(String(property));
    target[SECRET_FIELDS] = fields;
  };
}

export function isSecretField(metatype: unknown, property: string): boolean {
  if (typeof metatype !== 'function') return false;
  const fields = (metatype.prototype as WithSecretFields)[SECRET_FIELDS];
  return fields?.has(property) ?? false;
}
