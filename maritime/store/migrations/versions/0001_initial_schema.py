"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 13:04:03.944761
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkpoints',
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('line_no', sa.BigInteger(), nullable=False),
    sa.Column('warm_offset', sa.BigInteger(), nullable=False),
    sa.Column('warm_line_no', sa.BigInteger(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('fallback_time', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_checkpoints'))
    )
    op.create_table('ingest_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('read', sa.BigInteger(), nullable=False),
    sa.Column('decoded', sa.BigInteger(), nullable=False),
    sa.Column('stored', sa.BigInteger(), nullable=False),
    sa.Column('duplicates', sa.BigInteger(), nullable=False),
    sa.Column('rejected', sa.BigInteger(), nullable=False),
    sa.Column('newest_data_time', sa.DateTime(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_runs'))
    )
    op.create_table('positions',
    sa.Column('mmsi', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('sog', sa.Float(), nullable=True),
    sa.Column('cog', sa.Float(), nullable=True),
    sa.Column('heading', sa.SmallInteger(), nullable=True),
    sa.Column('nav_status', sa.SmallInteger(), nullable=True),
    sa.Column('msg_type', sa.SmallInteger(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('time_reported', sa.Boolean(), nullable=False),
    sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('mmsi', 'time', 'key', name=op.f('pk_positions')),
    sqlite_with_rowid=False
    )
    op.create_table('reject_totals',
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('source', 'reason', name=op.f('pk_reject_totals'))
    )
    op.create_table('rejects',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=1024), nullable=False),
    sa.Column('line_no', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rejects')),
    sa.UniqueConstraint('key', name=op.f('uq_rejects_key'))
    )
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.create_index('ix_rejects_reason', ['reason'], unique=False)

    op.create_table('statics',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('mmsi', sa.Integer(), nullable=False),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.Column('msg_type', sa.SmallInteger(), nullable=False),
    sa.Column('part', sa.String(length=1), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('callsign', sa.String(length=16), nullable=True),
    sa.Column('imo', sa.Integer(), nullable=True),
    sa.Column('ship_type', sa.SmallInteger(), nullable=True),
    sa.Column('to_bow', sa.SmallInteger(), nullable=True),
    sa.Column('to_stern', sa.SmallInteger(), nullable=True),
    sa.Column('to_port', sa.SmallInteger(), nullable=True),
    sa.Column('to_starboard', sa.SmallInteger(), nullable=True),
    sa.Column('draught', sa.Float(), nullable=True),
    sa.Column('destination', sa.String(length=64), nullable=True),
    sa.Column('eta', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('time_reported', sa.Boolean(), nullable=False),
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statics')),
    sa.UniqueConstraint('key', name=op.f('uq_statics_key'))
    )
    with op.batch_alter_table('statics', schema=None) as batch_op:
        batch_op.create_index('ix_statics_mmsi_time', ['mmsi', 'time'], unique=False)

    op.create_table('stations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('mmsi', sa.Integer(), nullable=False),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('aid_type', sa.SmallInteger(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('time_reported', sa.Boolean(), nullable=False),
    sa.Column('key', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
    sa.UniqueConstraint('key', name=op.f('uq_stations_key'))
    )
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.create_index('ix_stations_mmsi_time', ['mmsi', 'time'], unique=False)

    op.create_table('vessels',
    sa.Column('mmsi', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('callsign', sa.String(length=16), nullable=True),
    sa.Column('imo', sa.Integer(), nullable=True),
    sa.Column('ship_type', sa.SmallInteger(), nullable=True),
    sa.Column('length', sa.SmallInteger(), nullable=True),
    sa.Column('beam', sa.SmallInteger(), nullable=True),
    sa.Column('draught', sa.Float(), nullable=True),
    sa.Column('destination', sa.String(length=64), nullable=True),
    sa.Column('flag', sa.String(length=2), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('identity_time', sa.DateTime(), nullable=True),
    sa.Column('position_time', sa.DateTime(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('sog', sa.Float(), nullable=True),
    sa.Column('cog', sa.Float(), nullable=True),
    sa.Column('heading', sa.SmallInteger(), nullable=True),
    sa.Column('nav_status', sa.SmallInteger(), nullable=True),
    sa.PrimaryKeyConstraint('mmsi', name=op.f('pk_vessels'))
    )


def downgrade() -> None:
    op.drop_table('vessels')
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_index('ix_stations_mmsi_time')

    op.drop_table('stations')
    with op.batch_alter_table('statics', schema=None) as batch_op:
        batch_op.drop_index('ix_statics_mmsi_time')

    op.drop_table('statics')
    with op.batch_alter_table('rejects', schema=None) as batch_op:
        batch_op.drop_index('ix_rejects_reason')

    op.drop_table('rejects')
    op.drop_table('reject_totals')
    op.drop_table('positions')
    op.drop_table('ingest_runs')
    op.drop_table('checkpoints')
