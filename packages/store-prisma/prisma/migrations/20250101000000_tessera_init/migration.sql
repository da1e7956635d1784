-- CreateTable
CREATE TABLE "tessera_refresh_token" (
    "id" TEXT NOT NULL,
    "family_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "parent_id" TEXT,
    "device_hash" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "family_expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "successor_id" TEXT,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "tessera_refresh_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tessera_access_token" (
    "refresh_token_id" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "seq" SERIAL NOT NULL,

    CONSTRAINT "tessera_access_token_pkey" PRIMARY KEY ("refresh_token_id","jti")
);

-- CreateTable
CREATE TABLE "tessera_token_version" (
    "user_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "tessera_token_version_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "tessera_refresh_token_family_id_idx" ON "tessera_refresh_token"("family_id");

-- CreateIndex
CREATE INDEX "tessera_refresh_token_user_id_idx" ON "tessera_refresh_token"("user_id");

-- CreateIndex
CREATE INDEX "tessera_refresh_token_expires_at_idx" ON "tessera_refresh_token"("expires_at");

-- CreateIndex
CREATE INDEX "tessera_refresh_token_family_expires_at_idx" ON "tessera_refresh_token"("family_expires_at");

-- AddForeignKey
ALTER TABLE "tessera_access_token" ADD CONSTRAINT "tessera_access_token_refresh_token_id_fkey" FOREIGN KEY ("refresh_token_id") REFERENCES "tessera_refresh_token"("id") ON DELETE CASCADE ON UPDATE CASCADE;
