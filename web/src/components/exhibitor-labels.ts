// How an exhibitor's data reads on screen: sector names (the fair's vocabulary,
// server/demo/sistep2026/sectors.json), country names in the current language,
// booths with their hall.
import { lang, strings } from "../lib/i18n";
import type { BoothRecord } from "../lib/model";

const sectors = strings({
  fr: {
    metallurgy: "Métallurgie",
    mechanics: "Mécanique",
    electromechanics: "Électromécanique",
    "energy-transition": "Transition énergétique",
    "digital-transition": "Transition numérique & Industrie 4.0",
    "industrial-safety": "Sécurité industrielle",
    startup: "Start-up & Innovation",
  },
  en: {
    metallurgy: "Metallurgy",
    mechanics: "Mechanics",
    electromechanics: "Electromechanics",
    "energy-transition": "Energy transition",
    "digital-transition": "Digital transition & Industry 4.0",
    "industrial-safety": "Industrial safety",
    startup: "Start-ups & Innovation",
  },
});

const s = strings({
  fr: { booth: "Stand {code}" },
  en: { booth: "Booth {code}" },
});

type SectorId = Parameters<typeof sectors>[0];

/** The fair's sectors, in the vocabulary's order (what a business profile picks from). */
export const SECTOR_IDS: SectorId[] = [
  "metallurgy",
  "mechanics",
  "electromechanics",
  "energy-transition",
  "digital-transition",
  "industrial-safety",
  "startup",
];

/** A sector the vocabulary does not know yet shows its id rather than nothing. */
export function sectorName(id: string): string {
  return sectors(id as SectorId) ?? id;
}

const regionNames = new Map<string, Intl.DisplayNames>();

/** "Maroc" / "Morocco" for "MA", through the browser's own data (no table to ship). */
export function countryName(code: string): string {
  const current = lang();
  let names = regionNames.get(current);
  if (!names) {
    names = new Intl.DisplayNames([current], { type: "region" });
    regionNames.set(current, names);
  }
  try {
    return names.of(code) ?? code;
  } catch {
    return code; // not a region code Intl accepts
  }
}

/** "Stand A101 · Hall A". */
export function boothName(booth: BoothRecord): string {
  return [s("booth", { code: booth.code }), booth.hall.name].filter(Boolean).join(" · ");
}
