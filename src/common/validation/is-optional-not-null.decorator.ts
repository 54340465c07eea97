import { ValidateIf } from 'class-validator';

/**
 * A field that may be left out but not set to null: for PATCH fields whose column is NOT NULL.
 * class-validator's @IsOptional() skips validation for null as well as undefined, so
 * `{ "name": null }` would pass and fail at the database instead of with a 400 naming the field.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
