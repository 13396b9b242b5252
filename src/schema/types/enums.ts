import { registerEnumType } from 'type-graphql';
import { AssetStatus, ScanStatus } from '../../entities/ip-asset.entity';

registerEnumType(AssetStatus, { name: 'AssetStatus' });
registerEnumType(ScanStatus, { name: 'ScanStatus' });

export { AssetStatus, ScanStatus };
