import { ApiError } from "@/lib/api";

/** The server's message for one field (error.fields[name]), shown next to that input. */
export function FieldError({ error, name }: { error: unknown; name: string }) {
  if (!(error instanceof ApiError)) return null;
  const message = error.field(name);
  if (!message) return null;
  return (
    <span className="field-error" role="alert" data-field={name}>
      {message}
    </span>
  );
}

/** The error's general message, unless every message is already next to a field. */
export function FormError({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const fieldNames = Object.keys(error.fields);
    const shownElsewhere = fieldNames.length > 0 && fieldNames.every((name) => fields.includes(name));
    if (shownElsewhere) return null;
    const extra = error.fields.non_field_errors?.[0];
    return (
      <div className="form-error" role="alert">
        {extra ?? error.message}
      </div>
    );
  }
  return (
    <div className="form-error" role="alert">
      {String(error)}
    </div>
  );
}
