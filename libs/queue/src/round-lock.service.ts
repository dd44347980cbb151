import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisService } from './redis.service';

/**
 * Elects one runner per round of a periodic job across every replica: the
 * first to claim round `floor(now / interval)` of a job wins it; the others
 * skip that round. The claim expires by itself, so a crashed runner does not
 * block later rounds.
 */
@Injectable()
export class RoundLockService {
  private readonly owner = randomUUID();

  constructor(private readonly redis: RedisService) {}

  async claimRound(job: string, intervalSeconds: number, now = Date.now()): Promise<boolean> {
    const round = Math.floor(now / (intervalSeconds * 1000));
    const key = `${this.redis.prefix}:rounds:${job}:${round}`;
    const claimed = await this.redis.connection.set(key, this.owner, 'PX', intervalSeconds * 2000, 'NX');
    return claimed === 'OK';
  }
}
