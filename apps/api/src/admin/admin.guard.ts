import { CanActivate, ExecutionContext, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { Settings } from '@libs/config';
import { isAdmin } from './admin-auth';

/** Admin routes exist only when ADMIN_TOKEN is set, and answer only to it. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly settings: Settings) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.settings.ADMIN_TOKEN) {
      throw new NotFoundException();
    }
    if (!isAdmin(context.switchToHttp().getRequest<Request>(), this.settings.ADMIN_TOKEN)) {
      throw new UnauthorizedException('Admin token required (Authorization: Bearer <ADMIN_TOKEN>)');
    }
    return true;
  }
}
