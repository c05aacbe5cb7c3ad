import { ValidationError } from '../../lib/errors';
import { packageProblem } from '../../lib/requests/code-shop';
import type { CodePackage, PrismaClient } from '../../prisma/client';

/** The packages a guild starts with (codes per package); the price of each is the admins' to set. */
const DEFAULT_PACKAGE_SIZES = [1, 5, 10, 25, 50] as const;
/** Default price per code in the guild currency's minor units, until admins set prices. */
const DEFAULT_UNIT_PRICE = 10_000n;

/** The guild's packages, creating the default ones it never had. */
export async function ensurePackages(prisma: PrismaClient, guildId: string): Promise<CodePackage[]> {
  await prisma.codePackage.createMany({
    data: DEFAULT_PACKAGE_SIZES.map((quantity) => ({ guildId, quantity, price: DEFAULT_UNIT_PRICE * BigInt(quantity) })),
    skipDuplicates: true,
  });
  return prisma.codePackage.findMany({ where: { guildId }, orderBy: { quantity: 'asc' } });
}

/** Sets a package's price (and whether it is on sale); a new size creates the package. */
export async function setPackage(prisma: PrismaClient, guildId: string, input: { quantity: number; price: bigint; active?: boolean }): Promise<CodePackage> {
  const problem = packageProblem(input);
  if (problem) throw new ValidationError(problem);
  await ensurePackages(prisma, guildId);
  return prisma.codePackage.upsert({
    where: { guildId_quantity: { guildId, quantity: input.quantity } },
    create: { guildId, quantity: input.quantity, price: input.price, active: input.active ?? true },
    update: { price: input.price, ...(input.active === undefined ? {} : { active: input.active }) },
  });
}

export function packageToJson(p: CodePackage) {
  return { ...p, price: p.price.toString() };
}
