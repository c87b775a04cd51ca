/** `vipd router-config`: the routers' side of a site from vipd's config (issue 17 §4). */
import { renderBird } from './bird.js';
import { renderFoundry } from './foundry.js';
import { renderFrr } from './frr.js';
import { renderJunos } from './junos.js';
import type { Site, Vendor } from './site.js';

export { describeSite, prefixLimit, VENDORS, type Site, type SiteOptions, type Vendor } from './site.js';
export { SECRET } from './text.js';

const RENDER: Record<Vendor, (s: Site) => string> = { junos: renderJunos, foundry: renderFoundry, frr: renderFrr, bird: renderBird };
export const renderRouterConfig = (vendor: Vendor, site: Site): string => RENDER[vendor](site);
