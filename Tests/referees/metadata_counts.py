"""Pallet and type counts of runtime metadata files, read by Python's scalecodec: its portable
type registry reader, and the pallet layouts of V14 (its own), V15 (V14 and docs) and V16
(frame-metadata's deprecation records, associated types and view functions) declared here in
scalecodec's type language. Prints one JSON object: file name -> [version, types, pallets]."""
import json
import sys
from scalecodec.base import RuntimeConfiguration, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
rc=RuntimeConfiguration()
rc.update_type_registry(load_type_registry_preset("core"))
T=lambda fields: {'type':'struct','type_mapping':fields}
rc.update_type_registry({'types':{
 'PalletMetadataV15':T([['name','Text'],['storage','Option<StorageMetadataV14>'],['calls','Option<PalletCallMetadataV14>'],['event','Option<PalletEventMetadataV14>'],['constants','Vec<PalletConstantMetadataV14>'],['error','Option<PalletErrorMetadataV14>'],['index','u8'],['docs','Vec<Text>']]),
 'DeprecationNoteV16':T([['note','Text'],['since','Option<Text>']]),
 'ItemDeprecationInfoV16':{'type':'enum','type_mapping':[['NotDeprecated','Null'],['DeprecatedWithoutNote','Null'],['Deprecated','DeprecationNoteV16']]},
 'VariantDeprecationInfoV16':{'type':'enum','type_mapping':[['Unused0','Null'],['DeprecatedWithoutNote','Null'],['Deprecated','DeprecationNoteV16']]},
 'EnumDeprecationInfoV16':'BTreeMap<u8, VariantDeprecationInfoV16>',
 'StorageEntryV16':T([['name','Text'],['modifier','StorageEntryModifierV9'],['type','StorageEntryTypeV14'],['default','Bytes'],['documentation','Vec<Text>'],['deprecation','ItemDeprecationInfoV16']]),
 'StorageV16':T([['prefix','Text'],['entries','Vec<StorageEntryV16>']]),
 'EnumTypeV16':T([['ty','SiLookupTypeId'],['deprecation','EnumDeprecationInfoV16']]),
 'ConstantV16':T([['name','Text'],['type','SiLookupTypeId'],['value','Bytes'],['documentation','Vec<Text>'],['deprecation','ItemDeprecationInfoV16']]),
 'AssociatedTypeV16':T([['name','Text'],['ty','SiLookupTypeId'],['docs','Vec<Text>']]),
 'ViewFunctionParamV16':T([['name','Text'],['ty','SiLookupTypeId']]),
 'ViewFunctionV16':T([['id','[u8; 32]'],['name','Text'],['inputs','Vec<ViewFunctionParamV16>'],['output','SiLookupTypeId'],['docs','Vec<Text>'],['deprecation','ItemDeprecationInfoV16']]),
 'PalletMetadataV16':T([['name','Text'],['storage','Option<StorageV16>'],['calls','Option<EnumTypeV16>'],['event','Option<EnumTypeV16>'],['constants','Vec<ConstantV16>'],['error','Option<EnumTypeV16>'],['associated_types','Vec<AssociatedTypeV16>'],['view_functions','Vec<ViewFunctionV16>'],['index','u8'],['docs','Vec<Text>'],['deprecation','ItemDeprecationInfoV16']]),
}})
counts = {}
for f in sys.argv[1:]:
    data=open(f,'rb').read()
    sb=ScaleBytes(data[5:])
    reg=rc.create_scale_object('PortableRegistry', data=sb); reg.decode(check_remaining=False)
    p=rc.create_scale_object('Vec<PalletMetadataV%d>'%data[4], data=sb); p.decode(check_remaining=False)
    counts[f.split('/')[-1]] = [data[4], len(reg.value_object['types'].value_object), len(p.value)]
print(json.dumps(counts))
