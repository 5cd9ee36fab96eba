import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { trimText } from '../common/http/field-decorators';
import { PageQuery } from '../common/http/pagination';
import { TOKEN_STATES, TokenStateFilter } from './tokens.dto';

export const TOKEN_SORTS = [
  '-createdAt',
  'createdAt',
  '-lastUsedAt',
  'lastUsedAt',
  'name',
  '-name',
] as const;
export type TokenSort = (typeof TOKEN_SORTS)[number];

export class OrganizationTokensQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Search in token name, preview, owner email and owner name' })
  @IsOptional()
  @Transform(trimText)
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({
    enum: TOKEN_SORTS,
    default: '-createdAt',
    description: '"-" for descending',
  })
  @IsOptional()
  @IsIn([...TOKEN_SORTS])
  sort: TokenSort = '-createdAt';

  @TokenStateFilter()
  state: (typeof TOKEN_STATES)[number] = 'active';
}
