import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/access/auth-rule.decorator';
import { CompiledResponse } from '../common/http/compiled-response';
import { MeResponse } from './auth.dto';
import { CurrentPrincipal } from '../common/access/current-principal.decorator';
import { MeService } from './me.service';
import type { Principal } from '../common/access/principal';

@ApiTags('me')
@Controller('api/v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    operationId: 'getMe',
    summary: 'Who is calling, in which organization, and how they authenticated',
  })
  @CompiledResponse(MeResponse)
  get(@CurrentPrincipal() principal: Principal): MeResponse | Promise<MeResponse> {
    return this.me.describe(principal);
  }
}
