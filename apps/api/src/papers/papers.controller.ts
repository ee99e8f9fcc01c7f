import { Controller, Get, Query } from '@nestjs/common';
import { SearchPapersDto } from './dto/search-papers.dto';
import { PaperPage, PapersService } from './papers.service';

@Controller('api/papers')
export class PapersController {
  constructor(private readonly papers: PapersService) {}

  @Get()
  search(@Query() query: SearchPapersDto): Promise<PaperPage> {
    return this.papers.search(query);
  }
}
