import type { Cataloger } from './cataloger.js';
import { dpkgCataloger } from './dpkg/cataloger.js';
import { apkCataloger } from './apk/cataloger.js';
import { rpmCataloger } from './rpm/cataloger.js';
import { npmCataloger } from './lang/npm.js';
import { pythonCataloger } from './lang/python.js';
import { goBinaryCataloger } from './lang/go-binary.js';
import { javaCataloger } from './lang/java.js';
import { rubyCataloger } from './lang/ruby.js';
import { cargoCataloger } from './lang/cargo.js';
import { composerCataloger } from './lang/composer.js';
import { dotnetCataloger } from './lang/dotnet.js';

/** OS package databases first (the distro decides their ecosystem), then language ecosystems. */
export const ALL_CATALOGERS: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  npmCataloger,
  pythonCataloger,
  goBinaryCataloger,
  javaCataloger,
  rubyCataloger,
  cargoCataloger,
  composerCataloger,
  dotnetCataloger,
];
