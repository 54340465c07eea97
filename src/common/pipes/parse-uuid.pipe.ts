import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';

/** Like Nest's ParseUUIDPipe, but the 400 names the parameter: "id must be a UUID". */
@Injectable()
export class ParseUuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && isUUID(value)) return value;
    const name = metadata.data ?? 'value';
    throw new BadRequestException({ code: 'INVALID_UUID', message: `${name} must be a UUID, like 3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f` });
  }
}
